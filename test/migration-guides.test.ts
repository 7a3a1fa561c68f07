/**
 * The migration guides (docs/migrating-from-*.md) cannot rot: every TypeScript block in them is
 * a complete program, tagged after its language with the client it shows (```` ```ts wredis ````,
 * ```` ```ts ioredis ````, ```` ```ts node-redis ````). The wredis blocks are type-checked under
 * `strict` against the built package (`dist/`, as a user's project sees it through `exports`) and
 * every block — the peers' "before" code too, so what the guides say about ioredis and node-redis
 * is checked against the installed versions — runs as its own node process against real servers
 * started here. A program passes when it exits 0 by itself (its clients closed) with an empty
 * stderr; the assertions inside it are what it claims.
 *
 * Addresses: the programs name `127.0.0.1:6379` (a plain server), `:6380` (one with a password)
 * and `:7000` (a cluster's seed node); they are rewritten to the ports of this test's servers, and
 * a guard loaded into each program refuses any other TCP port, so a guide can never reach the
 * machine's own Redis. Needs `npm run build` (the programs import the built package).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import { repoRoot } from './edge/harness.js';
import { startPrimariesOnlyCluster, type RedisClusterHandle } from './support/cluster.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

const GUIDES = ['docs/migrating-from-ioredis.md', 'docs/migrating-from-node-redis.md'] as const;
const CLIENTS = ['wredis', 'ioredis', 'node-redis'] as const;
type Client = (typeof CLIENTS)[number];
/** The password of the `:6380` server the guides connect to. */
const PASSWORD = 's3cret';
/** Upper bound for one program (node start-up included); the slowest needs about 2 s. */
const RUN_TIMEOUT_MS = 30_000;

interface Snippet {
  guide: string;
  /** 1-based line of the opening fence. */
  line: number;
  client: Client;
  code: string;
}

/** The fenced blocks of a Markdown file; every ts/js block must name its client. */
function snippets(guide: string, markdown: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] ?? '').startsWith('```'); i++) body.push(lines[i] ?? '');
    assert.ok(i < lines.length, `${guide}:${start + 1}: unclosed code block`);
    const lang = open[1] ?? '';
    if (!/^(ts|typescript|js|javascript)$/.test(lang)) continue;
    const client = (open[2] ?? '').trim();
    assert.ok(
      (CLIENTS as readonly string[]).includes(client),
      `${guide}:${start + 1}: a ${lang} block must be tagged with its client (${CLIENTS.join(', ')}), got '${client}'`,
    );
    out.push({ guide, line: start + 1, client: client as Client, code: body.join('\n') + '\n' });
  }
  return out;
}

/** Loaded with `--import` into every program: TCP only to the test's own servers. */
const GUARD = `import net from 'node:net';
const allowed = new Set(process.env.GUIDE_PORTS.split(',').map(Number));
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const port = typeof first === 'object' && first !== null ? first.port : first;
  if (typeof first === 'object' && first !== null && first.path !== undefined) return connect.apply(this, args);
  if (!allowed.has(Number(port))) throw new Error('guide program tried to reach port ' + String(port));
  return connect.apply(this, args);
};
`;

describe('migration guides: every program in them compiles and runs', { timeout: 600_000 }, () => {
  let dir: string;
  let plain: RedisServerHandle;
  let secured: RedisServerHandle;
  let cluster: RedisClusterHandle;
  const all = GUIDES.flatMap((g) => snippets(g, readFileSync(join(repoRoot, g), 'utf8')));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wredis-guides-'));
    // The programs' project: `wredis` is this repository as an installed package would be.
    const modules = join(dir, 'node_modules');
    mkdirSync(join(modules, '@types'), { recursive: true });
    symlinkSync(repoRoot, join(modules, 'wredis'), 'dir');
    for (const name of ['ioredis', 'redis', '@redis']) {
      symlinkSync(join(repoRoot, 'node_modules', name), join(modules, name), 'dir');
    }
    symlinkSync(join(repoRoot, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(join(dir, 'guard.mjs'), GUARD);
    [plain, secured, cluster] = await Promise.all([
      startRedis(),
      startRedis({ requirepass: PASSWORD }),
      startPrimariesOnlyCluster(),
    ]);
  });

  after(async () => {
    await Promise.all([plain?.stop(), secured?.stop(), cluster?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const fileOf = (s: Snippet): string =>
    `${s.guide.replace(/^docs\/|\.md$/g, '').replace(/[^a-z0-9]+/g, '-')}-${s.line}-${s.client}`;

  /** The program with the guides' addresses replaced by this test's servers. */
  function program(s: Snippet): string {
    const seed = cluster.primaries[0]?.port;
    assert.ok(seed !== undefined);
    return s.code
      .replace(/\b6379\b/g, String(plain.port))
      .replace(/\b6380\b/g, String(secured.port))
      .replace(/\b7000\b/g, String(seed));
  }

  it('the guides have programs for every client, each one tagged', () => {
    for (const guide of GUIDES) {
      const found = new Set(all.filter((s) => s.guide === guide).map((s) => s.client));
      const peer = guide.includes('ioredis') ? 'ioredis' : 'node-redis';
      assert.deepEqual([...found].sort(), [peer, 'wredis'].sort(), guide);
    }
    assert.ok(all.filter((s) => s.client === 'wredis').length >= 20, 'too few wredis programs');
  });

  it('the wredis programs type-check under strict against the built package', () => {
    const files = all
      .filter((s) => s.client === 'wredis')
      .map((s) => {
        const file = join(dir, `${fileOf(s)}.ts`);
        writeFileSync(file, s.code);
        return { file, s };
      });
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      typeRoots: [join(dir, 'node_modules', '@types')],
    };
    const program = ts.createProgram(
      files.map((f) => f.file),
      options,
    );
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = files.find((f) => f.file === d.file?.fileName);
      const pos =
        d.file !== undefined && d.start !== undefined
          ? d.file.getLineAndCharacterOfPosition(d.start)
          : undefined;
      const at =
        where !== undefined && pos !== undefined
          ? `${where.s.guide}:${where.s.line + 1 + pos.line}`
          : (d.file?.fileName ?? '?');
      return `${at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    assert.deepEqual(problems, []);
  });

  /** Runs one program to completion (bounded by RUN_TIMEOUT_MS). */
  async function run(s: Snippet): Promise<void> {
    // Fresh data for every program: before and after snippets use the same keys.
    await Promise.all([
      plain.command('FLUSHALL'),
      secured.command('FLUSHALL'),
      ...cluster.primaries.map((n) => n.command('FLUSHALL')),
    ]);
    const js = ts.transpileModule(program(s), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const file = join(dir, `${fileOf(s)}.mjs`);
    writeFileSync(file, js);
    const ports = [plain.port, secured.port, ...cluster.nodes.map((n) => n.port)].join(',');
    const env: NodeJS.ProcessEnv = { ...process.env, GUIDE_PORTS: ports, NO_COLOR: '1' };
    delete env['NODE_TEST_CONTEXT'];
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', './guard.mjs', file],
        { cwd: dir, env, timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL' },
        (error, stdout, stderr) => {
          resolve({
            code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
            stdout,
            stderr,
          });
        },
      );
    });
    const shown = `${s.guide}:${s.line} (${s.client}) exit ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
    assert.equal(result.code, 0, shown);
    assert.equal(result.stderr, '', shown);
  }

  for (const guide of GUIDES) {
    describe(guide, () => {
      for (const s of all.filter((x) => x.guide === guide)) {
        it(`line ${s.line}: the ${s.client} program runs`, () => run(s));
      }
    });
  }
});
