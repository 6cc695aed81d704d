import { describe, expect, it } from 'vitest';
import { describeAdapterInfo, formatAdapter } from './webgpu_adapter.js';

/** What Dawn reports for Mesa's lavapipe 25.0 on this project's CI machine. */
const LAVAPIPE = {
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe-llvm-15-0-6-256-bits-',
  description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1',
};

describe('describeAdapterInfo', () => {
  it('reads lavapipe as a software adapter', () => {
    expect(describeAdapterInfo(LAVAPIPE, 'dawn')).toEqual({ runtime: 'dawn', ...LAVAPIPE, software: true });
  });

  it('reads a GPU as hardware', () => {
    const a = describeAdapterInfo(
      { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' },
      'dawn',
    );
    expect(a).toMatchObject({ vendor: 'nvidia', architecture: 'hopper', software: false });
  });

  it('takes the fallback flag, from the adapter or from its info', () => {
    const info = { vendor: 'google', architecture: '', description: 'some adapter' };
    expect(describeAdapterInfo(info, 'browser').software).toBe(false);
    expect(describeAdapterInfo(info, 'browser', true).software).toBe(true);
    expect(describeAdapterInfo({ ...info, isFallbackAdapter: true }, 'browser').software).toBe(true);
  });

  it('recognises software renderers by name when the architecture is not "software"', () => {
    for (const description of [
      'SwiftShader Device (Subzero)',
      'Microsoft Basic Render Driver',
      'llvmpipe (LLVM 17.0.6, 256 bits)',
      'lavapipe',
    ]) {
      expect(describeAdapterInfo({ vendor: 'x', architecture: '', description }, 'dawn').software).toBe(true);
    }
    expect(describeAdapterInfo({ vendor: 'google', device: 'swiftshader' }, 'browser').software).toBe(true);
    // "warp" only as a word: a product name that merely contains the letters is hardware.
    expect(describeAdapterInfo({ description: 'Warpspeed GPU X' }, 'dawn').software).toBe(false);
  });

  it('fills absent fields (browsers may hide them) with empty strings and counts the adapter as hardware', () => {
    expect(describeAdapterInfo({}, 'browser')).toEqual({
      runtime: 'browser',
      vendor: '',
      architecture: '',
      device: '',
      description: '',
      software: false,
    });
  });
});

describe('formatAdapter', () => {
  it('names vendor and description, says software once, and names the runtime', () => {
    expect(formatAdapter(describeAdapterInfo(LAVAPIPE, 'dawn'))).toBe(
      'mesa llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1 (software, Dawn)',
    );
  });

  it('puts a hardware architecture before "hardware"', () => {
    expect(
      formatAdapter(
        describeAdapterInfo({ vendor: 'apple', architecture: 'metal-3', description: '' }, 'browser'),
      ),
    ).toBe('apple (metal-3, hardware, browser)');
  });

  it('falls back to the device when there is no description, and to "unnamed adapter"', () => {
    expect(formatAdapter(describeAdapterInfo({ vendor: 'amd', device: 'gfx1100' }, 'dawn'))).toBe(
      'amd gfx1100 (hardware, Dawn)',
    );
    expect(formatAdapter(describeAdapterInfo({}, 'browser'))).toBe('unnamed adapter (hardware, browser)');
  });
});
