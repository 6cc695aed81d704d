import { describe, expect, it } from 'vitest';
import { formatBackendChoice } from './format_backend_choice.js';
import { describeAdapterInfo } from './webgpu_adapter.js';

describe('formatBackendChoice', () => {
  it('names the backend alone when there is no adapter', () => {
    expect(formatBackendChoice({ name: 'wasm' })).toBe('wasm');
  });

  it('names the WebGPU adapter: vendor, device, architecture, software or hardware, runtime', () => {
    const adapter = describeAdapterInfo(
      { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' },
      'dawn',
    );
    expect(formatBackendChoice({ name: 'webgpu', adapter })).toBe(
      'webgpu on nvidia NVIDIA H200 (hopper, hardware, Dawn)',
    );
  });
});
