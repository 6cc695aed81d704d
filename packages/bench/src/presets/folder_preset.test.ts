import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImageFolder } from '@mamba-cl/datasets';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBmpFolder } from '../testing_internal/bmp_folder.js';
import { checkImageFolder, FOLDER_PRESET, folderPreset } from './folder_preset.js';
import { BENCHMARKS } from './preset_registry.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'folder-preset-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the folder benchmark', () => {
  it('is listed, and becomes a concrete preset for a folder and --tasks', () => {
    expect(BENCHMARKS.get('folder')).toBe(FOLDER_PRESET);
    const root = tmp();
    writeBmpFolder(root, { classes: 4, train: 3, val: 2 });
    const { preset, summary } = folderPreset(root, { tasks: 2, imageSize: 16, channels: 1 });
    expect(summary).toEqual({
      classes: ['class_a', 'class_b', 'class_c', 'class_d'],
      trainCounts: [3, 3, 3, 3],
      valCounts: [2, 2, 2, 2],
    });
    expect(preset).toMatchObject({
      id: 'folder',
      numClasses: 4,
      numTasks: 2,
      image: { size: 16, channels: 1 },
    });
    expect(preset.pipelines).toEqual({ train: 'mnist-train', eval: 'mnist-eval' });
    expect(folderPreset(root, { tasks: 4 }).preset.pipelines).toEqual(FOLDER_PRESET.pipelines);
    // The same class numbering as loadImageFolder (sorted folder names).
    expect(loadImageFolder(root).classNames).toEqual(summary.classes);
  });

  it('names what is wrong with the folder', () => {
    const root = tmp();
    expect(() => checkImageFolder(undefined)).toThrow(/--data-root is required/);
    expect(() => checkImageFolder(join(root, 'nope'))).toThrow(/nope does not exist or is not a folder/);
    expect(() => checkImageFolder(root)).toThrow(/has no train\/ folder/);
    mkdirSync(join(root, 'train'));
    expect(() => checkImageFolder(root)).toThrow(/has no val\/ folder/);
    mkdirSync(join(root, 'val'));
    expect(() => checkImageFolder(root)).toThrow(/train has no class folders/);
    writeBmpFolder(root, { classes: 2, train: 1, val: 1 });
    mkdirSync(join(root, 'train', 'extra'));
    expect(() => checkImageFolder(root)).toThrow(/the same class folders \(in train\/ only: extra\)/);
    mkdirSync(join(root, 'val', 'extra'));
    writeFileSync(join(root, 'val', 'extra', 'notes.txt'), 'x');
    expect(() => checkImageFolder(root)).toThrow(/train\/extra holds no \.jpg, \.png or \.bmp image/);
    try {
      checkImageFolder(root);
    } catch (err) {
      expect((err as { hint?: string }).hint).toMatch(/<data-root>\/train\/<class>\/<image>/);
    }
  });

  it('refuses a task count that does not divide the classes, and bad channels', () => {
    const root = tmp();
    writeBmpFolder(root, { classes: 6, train: 1, val: 1 });
    expect(() => folderPreset(root, {})).toThrow(/--tasks is required/);
    expect(() => folderPreset(root, { tasks: 4 })).toThrow(/--tasks 4 does not split the 6 classes/);
    expect(() => folderPreset(root, { tasks: 7 })).toThrow(/does not split/);
    try {
      folderPreset(root, { tasks: 4 });
    } catch (err) {
      expect((err as { hint?: string }).hint).toBe('choose one of 1, 2, 3, 6');
    }
    expect(() => folderPreset(root, { tasks: 3, channels: 2 })).toThrow(
      /--channels 2: expected 1 \(grey\) or 3/,
    );
  });
});
