import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import {
  AskError,
  AuthenticationError,
  AuthenticationFailureError,
  AuthenticationRequiredError,
  AuthorizationError,
  BusyLoadingError,
  ClusterCrossSlotError,
  ClusterDownError,
  ClusterError,
  ClusterResponseError,
  ClusterRoutingError,
  ClusterTransactionError,
  CommandNotSupportedError,
  CommandSyntaxError,
  ConnectionError,
  DataError,
  ExecAbortError,
  FunctionError,
  InvalidResponse,
  LockError,
  ModuleCommandNotSupportedError,
  MovedError,
  NoKeyError,
  NoScriptError,
  NotBusyError,
  PersistenceError,
  PrimaryNotFoundError,
  PubSubError,
  ReadOnlyError,
  RedisClusterException,
  RedisError,
  ReplicaNotFoundError,
  ReplicationError,
  ResponseError,
  StreamConsumerInitializationError,
  StreamDuplicateConsumerGroupError,
  TimeoutError,
  TryAgainError,
  UnblockedError,
  WatchError,
  errors,
  isFunctionCommand,
  isUnknownCommand,
  parseRedirection,
  protocolError,
  serverError,
  withCommand,
} from '../src/errors/index.js';
import { startRedis, type RedisServerHandle } from './support/redis-server.js';

type AnyErrorClass = abstract new (...args: never[]) => RedisError;

interface ClassCase {
  cls: AnyErrorClass;
  name: string;
  /** Ancestors up to RedisError, nearest first. */
  parents: AnyErrorClass[];
  make: (cause: Error) => RedisError;
  /** Own fields the instance must carry. */
  fields?: Record<string, unknown>;
}

const CAUSE = new Error('root cause');
const opts = { command: 'GET', cause: CAUSE } as const;

/** CONTRACT.md's tree, one row per class. */
const CLASSES: ClassCase[] = [
  {
    cls: RedisError,
    name: 'RedisError',
    parents: [],
    make: (cause) => new RedisError('m', { ...opts, cause }),
  },
  {
    cls: ConnectionError,
    name: 'ConnectionError',
    parents: [RedisError],
    make: (cause) => new ConnectionError('m', { ...opts, cause }),
  },
  {
    cls: TimeoutError,
    name: 'TimeoutError',
    parents: [ConnectionError, RedisError],
    make: (cause) => new TimeoutError('m', { ...opts, cause }),
  },
  {
    cls: BusyLoadingError,
    name: 'BusyLoadingError',
    parents: [ConnectionError, RedisError],
    make: (cause) =>
      new BusyLoadingError('LOADING Redis is loading the dataset in memory', { ...opts, cause }),
    fields: { code: 'LOADING' },
  },
  {
    cls: PrimaryNotFoundError,
    name: 'PrimaryNotFoundError',
    parents: [ConnectionError, RedisError],
    make: (cause) => new PrimaryNotFoundError('m', { ...opts, cause }),
  },
  {
    cls: ReplicaNotFoundError,
    name: 'ReplicaNotFoundError',
    parents: [ConnectionError, RedisError],
    make: (cause) => new ReplicaNotFoundError('m', { ...opts, cause }),
  },
  {
    cls: ResponseError,
    name: 'ResponseError',
    parents: [RedisError],
    make: (cause) =>
      new ResponseError('WRONGTYPE Operation against a key holding the wrong kind of value', {
        ...opts,
        cause,
      }),
    fields: { code: 'WRONGTYPE' },
  },
  {
    cls: AuthenticationError,
    name: 'AuthenticationError',
    parents: [ResponseError, RedisError],
    make: (cause) => new AuthenticationError('X y', { ...opts, cause }),
    fields: { code: 'X' },
  },
  {
    cls: AuthenticationFailureError,
    name: 'AuthenticationFailureError',
    parents: [AuthenticationError, ResponseError, RedisError],
    make: (cause) => new AuthenticationFailureError('WRONGPASS invalid', { ...opts, cause }),
    fields: { code: 'WRONGPASS' },
  },
  {
    cls: AuthenticationRequiredError,
    name: 'AuthenticationRequiredError',
    parents: [AuthenticationError, ResponseError, RedisError],
    make: (cause) => new AuthenticationRequiredError('NOAUTH Authentication required.', { ...opts, cause }),
    fields: { code: 'NOAUTH' },
  },
  {
    cls: AuthorizationError,
    name: 'AuthorizationError',
    parents: [ResponseError, RedisError],
    make: (cause) => new AuthorizationError('NOPERM x', { ...opts, cause }),
    fields: { code: 'NOPERM' },
  },
  {
    cls: NoScriptError,
    name: 'NoScriptError',
    parents: [ResponseError, RedisError],
    make: (cause) => new NoScriptError('NOSCRIPT x', { ...opts, cause }),
    fields: { code: 'NOSCRIPT' },
  },
  {
    cls: FunctionError,
    name: 'FunctionError',
    parents: [ResponseError, RedisError],
    make: (cause) => new FunctionError('ERR Function not found', { ...opts, cause }),
    fields: { code: 'ERR' },
  },
  {
    cls: NotBusyError,
    name: 'NotBusyError',
    parents: [ResponseError, RedisError],
    make: (cause) => new NotBusyError('NOTBUSY x', { ...opts, cause }),
    fields: { code: 'NOTBUSY' },
  },
  {
    cls: ExecAbortError,
    name: 'ExecAbortError',
    parents: [ResponseError, RedisError],
    make: (cause) => new ExecAbortError('EXECABORT x', { ...opts, cause }),
    fields: { code: 'EXECABORT' },
  },
  {
    cls: ReadOnlyError,
    name: 'ReadOnlyError',
    parents: [ResponseError, RedisError],
    make: (cause) => new ReadOnlyError('READONLY x', { ...opts, cause }),
    fields: { code: 'READONLY' },
  },
  {
    cls: UnblockedError,
    name: 'UnblockedError',
    parents: [ResponseError, RedisError],
    make: (cause) => new UnblockedError('UNBLOCKED x', { ...opts, cause }),
    fields: { code: 'UNBLOCKED' },
  },
  {
    cls: NoKeyError,
    name: 'NoKeyError',
    parents: [ResponseError, RedisError],
    make: (cause) => new NoKeyError('ERR no such key', { ...opts, cause }),
    fields: { code: 'ERR' },
  },
  {
    cls: StreamDuplicateConsumerGroupError,
    name: 'StreamDuplicateConsumerGroupError',
    parents: [ResponseError, RedisError],
    make: (cause) => new StreamDuplicateConsumerGroupError('BUSYGROUP x', { ...opts, cause }),
    fields: { code: 'BUSYGROUP' },
  },
  {
    cls: MovedError,
    name: 'MovedError',
    parents: [ResponseError, RedisError],
    make: (cause) => new MovedError('MOVED 1 h:2', { ...opts, cause, slot: 1, host: 'h', port: 2 }),
    fields: { code: 'MOVED', slot: 1, host: 'h', port: 2 },
  },
  {
    cls: AskError,
    name: 'AskError',
    parents: [ResponseError, RedisError],
    make: (cause) => new AskError('ASK 1 h:2', { ...opts, cause, slot: 1, host: 'h', port: 2 }),
    fields: { code: 'ASK', slot: 1, host: 'h', port: 2 },
  },
  {
    cls: TryAgainError,
    name: 'TryAgainError',
    parents: [ResponseError, RedisError],
    make: (cause) => new TryAgainError('TRYAGAIN x', { ...opts, cause }),
    fields: { code: 'TRYAGAIN' },
  },
  {
    cls: ClusterCrossSlotError,
    name: 'ClusterCrossSlotError',
    parents: [ResponseError, RedisError],
    make: (cause) =>
      new ClusterCrossSlotError('keys of MGET span slots', { ...opts, cause, keys: ['a', 'b'] }),
    fields: { code: 'CROSSSLOT', keys: ['a', 'b'] },
  },
  {
    cls: InvalidResponse,
    name: 'InvalidResponse',
    parents: [RedisError],
    make: (cause) => new InvalidResponse('m', { ...opts, cause, protocolCode: 3 }),
    fields: { protocolCode: 3 },
  },
  {
    cls: DataError,
    name: 'DataError',
    parents: [RedisError],
    make: (cause) => new DataError('m', { ...opts, cause }),
  },
  {
    cls: CommandSyntaxError,
    name: 'CommandSyntaxError',
    parents: [RedisError],
    make: (cause) =>
      new CommandSyntaxError('ex and px together', { command: 'SET', cause, arguments: ['ex', 'px'] }),
    fields: { command: 'SET', arguments: new Set(['ex', 'px']) },
  },
  {
    cls: CommandNotSupportedError,
    name: 'CommandNotSupportedError',
    parents: [RedisError],
    make: (cause) => new CommandNotSupportedError('m', { command: 'GETEX', currentVersion: '6.0.9', cause }),
    fields: { command: 'GETEX', currentVersion: '6.0.9' },
  },
  {
    cls: ModuleCommandNotSupportedError,
    name: 'ModuleCommandNotSupportedError',
    parents: [CommandNotSupportedError, RedisError],
    make: (cause) =>
      new ModuleCommandNotSupportedError('m', { command: 'FT.SEARCH', module: 'search', cause }),
    fields: { command: 'FT.SEARCH', module: 'search', currentVersion: undefined },
  },
  {
    cls: PubSubError,
    name: 'PubSubError',
    parents: [RedisError],
    make: (cause) => new PubSubError('m', { ...opts, cause }),
  },
  {
    cls: WatchError,
    name: 'WatchError',
    parents: [RedisError],
    make: (cause) => new WatchError('m', { ...opts, cause }),
  },
  {
    cls: LockError,
    name: 'LockError',
    parents: [RedisError],
    make: (cause) => new LockError('m', { ...opts, cause }),
  },
  {
    cls: ReplicationError,
    name: 'ReplicationError',
    parents: [RedisError],
    make: (cause) =>
      new ReplicationError('m', { command: 'WAIT', replicas: 2, timeout: 100, acknowledged: 1, cause }),
    fields: { command: 'WAIT', replicas: 2, timeout: 100, acknowledged: 1 },
  },
  {
    cls: PersistenceError,
    name: 'PersistenceError',
    parents: [RedisError],
    make: (cause) =>
      new PersistenceError('m', { command: 'WAITAOF', local: 1, replicas: 2, timeout: 100, cause }),
    fields: { command: 'WAITAOF', local: 1, replicas: 2, timeout: 100 },
  },
  {
    cls: StreamConsumerInitializationError,
    name: 'StreamConsumerInitializationError',
    parents: [RedisError],
    make: (cause) => new StreamConsumerInitializationError('m', { ...opts, cause }),
  },
  {
    cls: RedisClusterException,
    name: 'RedisClusterException',
    parents: [RedisError],
    make: (cause) => new RedisClusterException('m', { ...opts, cause }),
  },
  {
    cls: ClusterRoutingError,
    name: 'ClusterRoutingError',
    parents: [RedisClusterException, RedisError],
    make: (cause) => new ClusterRoutingError('m', { ...opts, cause }),
  },
  {
    cls: ClusterResponseError,
    name: 'ClusterResponseError',
    parents: [RedisClusterException, RedisError],
    make: (cause) => new ClusterResponseError('m', { ...opts, cause }),
  },
  {
    cls: ClusterError,
    name: 'ClusterError',
    parents: [RedisError],
    make: (cause) => new ClusterError('m', { ...opts, cause }),
  },
  {
    cls: ClusterDownError,
    name: 'ClusterDownError',
    parents: [ClusterError, RedisError],
    make: (cause) => new ClusterDownError('CLUSTERDOWN The cluster is down', { ...opts, cause }),
    fields: { code: 'CLUSTERDOWN' },
  },
  {
    cls: ClusterTransactionError,
    name: 'ClusterTransactionError',
    parents: [ClusterError, RedisError],
    make: (cause) => new ClusterTransactionError('m', { ...opts, cause }),
  },
];

/** The top-level branches; an error is in exactly one of them (or is RedisError itself). */
const BRANCHES: AnyErrorClass[] = [
  ConnectionError,
  ResponseError,
  InvalidResponse,
  DataError,
  CommandSyntaxError,
  CommandNotSupportedError,
  PubSubError,
  WatchError,
  LockError,
  ReplicationError,
  PersistenceError,
  StreamConsumerInitializationError,
  RedisClusterException,
  ClusterError,
];

describe('error classes', () => {
  test('the table covers the 40 classes of the contract and the grouped `errors` object holds exactly them', () => {
    assert.equal(CLASSES.length, 40);
    assert.deepEqual(Object.keys(errors).sort(), CLASSES.map((c) => c.name).sort());
    for (const c of CLASSES) assert.equal((errors as Record<string, unknown>)[c.name], c.cls, c.name);
  });

  for (const c of CLASSES) {
    test(`${c.name}: name, instanceof chain, command, cause, fields`, () => {
      const e = c.make(CAUSE);
      assert.equal(e.name, c.name);
      assert.equal(Object.getPrototypeOf(e), c.cls.prototype, 'constructed class');
      assert.ok(e instanceof Error);
      assert.ok(e instanceof c.cls);
      for (const p of c.parents) assert.ok(e instanceof p, `${c.name} instanceof ${p.name}`);
      // The direct parent is the nearest ancestor listed.
      const parent = Object.getPrototypeOf(c.cls.prototype) as object;
      assert.equal(parent, (c.parents[0] ?? Error).prototype);
      // Exactly the branches the tree puts it under, no others.
      for (const b of BRANCHES) {
        const expected = c.cls === b || c.parents.includes(b);
        assert.equal(e instanceof b, expected, `${c.name} instanceof ${b.name}`);
      }
      assert.equal(e.cause, CAUSE);
      assert.ok(e.command === 'GET' || c.fields?.['command'] === e.command);
      assert.ok(String(e.stack).startsWith(`${c.name}: `), 'stack header names the class');
      assert.equal(String(e), `${c.name}: ${e.message}`);
      for (const [k, v] of Object.entries(c.fields ?? {})) {
        assert.deepEqual((e as unknown as Record<string, unknown>)[k], v, `${c.name}.${k}`);
      }
    });
  }

  test('name is a literal on the prototype (survives minification), not an own property', () => {
    for (const c of CLASSES) {
      assert.ok(Object.hasOwn(c.cls.prototype, 'name'), c.name);
      assert.equal((c.cls.prototype as Error).name, c.name);
      assert.equal(Object.hasOwn(c.make(CAUSE), 'name'), false);
    }
  });

  test('optional fields are absent, not undefined, when not given; code is always there', () => {
    const e = new ConnectionError('socket closed');
    assert.deepEqual(Object.keys(e), ['code']);
    assert.equal(Object.hasOwn(e, 'cause'), false);
    assert.equal(e.command, undefined);
    assert.equal(e.code, 'ERR_WREDIS_CONNECTION_FAILED');
    const r = new ResponseError('ERR x');
    assert.deepEqual(Object.keys(r), ['code']);
    assert.deepEqual(
      new ClusterCrossSlotError("CROSSSLOT Keys in request don't hash to the same slot").keys,
      [],
    );
  });

  test('ClusterError keeps the last error as cause', () => {
    const last = serverError('TRYAGAIN Multiple keys request during rehashing of slot', 'MGET');
    const e = new ClusterError('redirection budget spent', { command: 'MGET', cause: last });
    assert.equal(e.cause, last);
    assert.equal(new ClusterDownError('CLUSTERDOWN Hash slot not served', { cause: last }).cause, last);
  });
});

describe('serverError: the mapping table', () => {
  const CASES: [message: string, cls: AnyErrorClass, code: string][] = [
    ['NOAUTH Authentication required.', AuthenticationRequiredError, 'NOAUTH'],
    [
      'WRONGPASS invalid username-password pair or user is disabled.',
      AuthenticationFailureError,
      'WRONGPASS',
    ],
    ['ERR invalid password', AuthenticationFailureError, 'ERR'],
    ['ERR Client sent AUTH, but no password is set', AuthenticationFailureError, 'ERR'],
    [
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      AuthenticationFailureError,
      'ERR',
    ],
    ["NOPERM this user has no permissions to run the 'set' command", AuthorizationError, 'NOPERM'],
    ['NOSCRIPT No matching script. Please use EVAL.', NoScriptError, 'NOSCRIPT'],
    ['NOTBUSY No scripts in execution right now.', NotBusyError, 'NOTBUSY'],
    ['EXECABORT Transaction discarded because of previous errors.', ExecAbortError, 'EXECABORT'],
    ["READONLY You can't write against a read only replica.", ReadOnlyError, 'READONLY'],
    ['LOADING Redis is loading the dataset in memory', BusyLoadingError, 'LOADING'],
    ['UNBLOCKED client unblocked via CLIENT UNBLOCK', UnblockedError, 'UNBLOCKED'],
    ['BUSYGROUP Consumer Group name already exists', StreamDuplicateConsumerGroupError, 'BUSYGROUP'],
    ['ERR no such key', NoKeyError, 'ERR'],
    ['MOVED 3999 127.0.0.1:6381', MovedError, 'MOVED'],
    ['ASK 3999 127.0.0.1:6381', AskError, 'ASK'],
    ['TRYAGAIN Multiple keys request during rehashing of slot', TryAgainError, 'TRYAGAIN'],
    ['CLUSTERDOWN Hash slot not served', ClusterDownError, 'CLUSTERDOWN'],
    ['CLUSTERDOWN The cluster is down', ClusterDownError, 'CLUSTERDOWN'],
    ["CROSSSLOT Keys in request don't hash to the same slot", ClusterCrossSlotError, 'CROSSSLOT'],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', ResponseError, 'WRONGTYPE'],
    ['ERR value is not an integer or out of range', ResponseError, 'ERR'],
    ["OOM command not allowed when used memory > 'maxmemory'.", ResponseError, 'OOM'],
    ['BUSY Redis is busy running a script.', ResponseError, 'BUSY'],
    ['MYERR boom', ResponseError, 'MYERR'],
    ['NOSPACE', ResponseError, 'NOSPACE'],
    ['', ResponseError, ''],
    // The prefix is the whole first word: no accidental prefix matches.
    ['MOVEDX 1 h:1', ResponseError, 'MOVEDX'],
    ['ERR No such key', ResponseError, 'ERR'],
  ];

  for (const [message, cls, code] of CASES) {
    test(`${JSON.stringify(message)} -> ${cls.name}`, () => {
      const e = serverError(message);
      assert.equal(Object.getPrototypeOf(e), cls.prototype);
      assert.equal(e.message, message, 'full message kept');
      assert.equal(e.code, code);
      assert.equal(e.command, undefined);
      const withName = serverError(message, 'SET');
      assert.equal(withName.command, 'SET');
      assert.equal(Object.getPrototypeOf(withName), cls.prototype);
    });
  }

  test('replies to FUNCTION / FCALL / FCALL_RO without a more specific class become FunctionError', () => {
    for (const command of [
      'FCALL',
      'fcall',
      'FCALL_RO',
      'fcall_ro',
      'FUNCTION',
      'FUNCTION LOAD',
      'function|delete',
      'Function Kill',
    ]) {
      const e = serverError('ERR Function not found', command);
      assert.ok(e instanceof FunctionError, command);
      assert.equal(e.command, command);
      assert.equal(e.code, 'ERR');
      assert.ok(
        serverError('WRONGTYPE Operation against a key holding the wrong kind of value', command) instanceof
          FunctionError,
      );
      // Specific classes win.
      assert.ok(serverError('NOTBUSY No scripts in execution right now.', command) instanceof NotBusyError);
      assert.ok(
        serverError("NOPERM this user has no permissions to run the 'fcall' command", command) instanceof
          AuthorizationError,
      );
      assert.ok(
        serverError("READONLY You can't write against a read only replica.", command) instanceof
          ReadOnlyError,
      );
    }
    for (const command of ['GET', 'EVAL', 'FCALLX', 'FUNC', 'F', '', 'FUNCTIONS', 'SCRIPT|KILL']) {
      assert.equal(
        Object.getPrototypeOf(serverError('ERR Function not found', command)),
        ResponseError.prototype,
        command,
      );
    }
  });

  test('isFunctionCommand', () => {
    assert.equal(isFunctionCommand('fcall'), true);
    assert.equal(isFunctionCommand('FUNCTION|LOAD'), true);
    assert.equal(isFunctionCommand('FUNCTION FLUSH'), true);
    assert.equal(isFunctionCommand('FCALLRO'), false);
    assert.equal(isFunctionCommand('EVALSHA'), false);
  });

  test('withCommand attaches the name, and turns a plain ResponseError of a function command into FunctionError', () => {
    const moved = serverError('MOVED 1 h:1');
    assert.equal(withCommand(moved, 'GET'), moved);
    assert.equal(moved.command, 'GET');

    const plain = serverError('ERR Function not found');
    const f = withCommand(plain, 'FCALL');
    assert.ok(f instanceof FunctionError);
    assert.equal(f.message, plain.message);
    assert.equal(f.code, 'ERR');
    assert.equal(f.command, 'FCALL');

    const notBusy = serverError('NOTBUSY No scripts in execution right now.');
    assert.equal(withCommand(notBusy, 'FUNCTION'), notBusy);

    const conn = new ConnectionError('lost', { cause: CAUSE });
    assert.equal(withCommand(conn, 'FCALL'), conn, 'only plain ResponseErrors change class');
    assert.equal(conn.command, 'FCALL');

    const foreign = new Error('not ours');
    assert.equal(withCommand(foreign, 'GET'), foreign);
  });

  test('unknown command: argument values are cut from the message; isUnknownCommand recognises it', () => {
    const raw = "ERR unknown command 'AUTHX', with args beginning with: 'hunter2' 'x' ";
    const e = serverError(raw, 'AUTHX');
    assert.equal(Object.getPrototypeOf(e), ResponseError.prototype);
    assert.equal(e.message.includes('hunter2'), false);
    assert.ok(e.message.startsWith("ERR unknown command 'AUTHX'"));
    assert.equal(isUnknownCommand(e), true);
    assert.equal(
      isUnknownCommand(serverError("ERR unknown command 'HELLO'")),
      true,
      'Redis 5 text has no args part',
    );
    assert.equal(isUnknownCommand(serverError('ERR unknown subcommand')), false);
    assert.equal(isUnknownCommand(serverError('ERR no such key')), false);
    assert.equal(isUnknownCommand(new Error("ERR unknown command 'X'")), false);
    assert.equal(isUnknownCommand(undefined), false);
  });

  test('property: any message maps without throwing to a RedisError whose code is its first word', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        fc.option(fc.constantFrom('GET', 'FCALL', 'set')),
        (message, command) => {
          const e = serverError(message, command ?? undefined);
          assert.ok(e instanceof RedisError);
          if (e instanceof ResponseError) assert.equal(e.code, message.split(' ', 1)[0]);
          if (command !== null) assert.equal(e.command, command);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('MOVED / ASK parsing', () => {
  const GOOD: [message: string, slot: number, host: string, port: number][] = [
    ['MOVED 3999 127.0.0.1:6381', 3999, '127.0.0.1', 6381],
    ['MOVED 3999 :6380', 3999, '', 6380],
    ['MOVED 3999 ?:6380', 3999, '?', 6380],
    ['MOVED 0 redis-0.example.com:1', 0, 'redis-0.example.com', 1],
    ['MOVED 16383 ::1:65535', 16383, '::1', 65535],
    ['MOVED 12 fe80::1:ff:7000', 12, 'fe80::1:ff', 7000],
    ['ASK 3300 127.0.0.1:7304', 3300, '127.0.0.1', 7304],
    ['ASK 3300 127.0.0.1:7304\r\n', 3300, '127.0.0.1', 7304],
  ];
  for (const [message, slot, host, port] of GOOD) {
    test(`${JSON.stringify(message)}`, () => {
      const e = serverError(message, 'GET');
      assert.ok(e instanceof (message.startsWith('ASK') ? AskError : MovedError));
      const r = e;
      assert.deepEqual([r.slot, r.host, r.port], [slot, host, port]);
      assert.equal(r.message, message);
      assert.equal(r.command, 'GET');
    });
  }

  test('`MOVED 3999 :6380` means the same host: host is "" unless parseRedirection gets currentHost', () => {
    assert.deepEqual(parseRedirection('MOVED 3999 :6380'), { slot: 3999, host: '', port: 6380 });
    assert.deepEqual(parseRedirection('MOVED 3999 :6380', '10.0.0.7'), {
      slot: 3999,
      host: '10.0.0.7',
      port: 6380,
    });
    assert.deepEqual(parseRedirection('MOVED 3999 10.0.0.8:6380', '10.0.0.7'), {
      slot: 3999,
      host: '10.0.0.8',
      port: 6380,
    });
  });

  const BAD = [
    'MOVED 16384 127.0.0.1:6379',
    'MOVED -1 127.0.0.1:6379',
    'MOVED 99999999 h:1',
    'MOVED 1 h:0',
    'MOVED 1 h:65536',
    'MOVED 1 h:-1',
    'MOVED 1 h:',
    'MOVED 1 h',
    'MOVED 1',
    'MOVED',
    'MOVED x h:1',
    'MOVED 1.5 h:1',
    'MOVED 1 h:6379x',
    'MOVED 1 h:6379 extra',
    'MOVED  h:1',
    'ASK 16384 h:1',
    'ASK 1 h:100000',
    'MOVED 1 h :1',
  ];
  for (const message of BAD) {
    test(`rejects ${JSON.stringify(message)} as DataError`, () => {
      const e = serverError(message, 'GET');
      assert.ok(e instanceof DataError, e.name);
      assert.ok(e.message.includes(message));
      assert.equal(e.command, 'GET');
      assert.equal(parseRedirection(message), undefined);
    });
  }

  test('property: every valid slot/port/host round-trips; out-of-range never parses', () => {
    const host = fc.oneof(fc.constant(''), fc.ipV4(), fc.ipV6(), fc.domain());
    fc.assert(
      fc.property(
        fc.constantFrom('MOVED', 'ASK'),
        fc.integer({ min: 0, max: 16383 }),
        host,
        fc.integer({ min: 1, max: 65535 }),
        (kind, slot, h, port) => {
          assert.deepEqual(parseRedirection(`${kind} ${slot} ${h}:${port}`), { slot, host: h, port });
        },
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 16384, max: 10_000_000 }),
        fc.integer({ min: 65536, max: 10_000_000 }),
        (slot, port) => {
          assert.equal(parseRedirection(`MOVED ${slot} h:1`), undefined);
          assert.equal(parseRedirection(`MOVED 1 h:${port}`), undefined);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('protocolError', () => {
  test('builds an InvalidResponse keeping the parser code', () => {
    const e = protocolError(4, 'unknown type byte 0x3f');
    assert.ok(e instanceof InvalidResponse);
    assert.ok(e instanceof RedisError);
    assert.equal(e instanceof ConnectionError, false);
    assert.equal(e.protocolCode, 4);
    assert.equal(e.name, 'InvalidResponse');
    assert.ok(e.message.includes('unknown type byte 0x3f'));
  });
});

// ─── Against real servers ─────────────────────────────────────────────────────

type Reply = string | number | null | { error: string } | Reply[];

/** A few lines of RESP2 over a raw socket: enough to provoke and read real error replies. */
class Raw {
  private buf = Buffer.alloc(0);
  private waiters: ((r: Reply) => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (;;) {
        const parsed = parse(this.buf, 0);
        if (parsed === undefined) break;
        this.buf = this.buf.subarray(parsed[1]);
        this.waiters.shift()?.(parsed[0]);
      }
    });
  }

  static open(port: number): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new Raw(s)));
      s.once('error', reject);
    });
  }

  /** Sends one command and resolves with its reply (bounded by 10 s). */
  send(...args: (string | number)[]): Promise<Reply> {
    const parts = args.map(String);
    this.socket.write(
      `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`,
    );
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no reply to ${parts[0]}`)), 10_000);
      this.waiters.push((r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
  }

  /** Sends a command that must fail and returns the error text. */
  async error(...args: (string | number)[]): Promise<string> {
    const r = await this.send(...args);
    assert.ok(
      r !== null && typeof r === 'object' && !Array.isArray(r),
      `${String(args[0])} should fail, got ${JSON.stringify(r)}`,
    );
    return r.error;
  }

  close(): void {
    this.socket.destroy();
  }
}

function parse(b: Buffer, at: number): [Reply, number] | undefined {
  const eol = b.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const line = b.toString('utf8', at + 1, eol);
  const next = eol + 2;
  switch (b[at]) {
    case 0x2b:
      return [line, next];
    case 0x2d:
      return [{ error: line }, next];
    case 0x3a:
      return [Number(line), next];
    case 0x24: {
      const n = Number(line);
      if (n < 0) return [null, next];
      return b.length < next + n + 2 ? undefined : [b.toString('utf8', next, next + n), next + n + 2];
    }
    case 0x2a: {
      const n = Number(line);
      if (n < 0) return [null, next];
      const out: Reply[] = [];
      let pos = next;
      for (let i = 0; i < n; i++) {
        const item = parse(b, pos);
        if (item === undefined) return undefined;
        out.push(item[0]);
        pos = item[1];
      }
      return [out, pos];
    }
    default:
      throw new Error(`unexpected RESP type ${String(b[at])}`);
  }
}

/** Polls `check` every 50 ms, at most `tries` times. */
async function until(what: string, check: () => Promise<boolean>, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Real texts seen, reported as test diagnostics. */
const seen: Record<string, string> = {};

function expectClass(label: string, message: string, command: string, cls: AnyErrorClass): RedisError {
  seen[label] = message;
  const e = serverError(message, command);
  assert.equal(
    Object.getPrototypeOf(e),
    cls.prototype,
    `${label}: ${message} -> ${e.name}, want ${cls.name}`,
  );
  assert.equal(e.command, command);
  assert.equal(e.code, message.split(' ', 1)[0]);
  return e;
}

describe('real Redis 7 server errors map to the right classes', () => {
  const servers: RedisServerHandle[] = [];
  const sockets: Raw[] = [];
  let plain: RedisServerHandle;
  async function open(port: number): Promise<Raw> {
    const r = await Raw.open(port);
    sockets.push(r);
    return r;
  }

  before(async () => {
    plain = await startRedis();
    servers.push(plain);
  });

  after(async () => {
    for (const s of sockets) s.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  /** Lists the real texts a test saw in the test's output. */
  function report(t: { diagnostic(message: string): void }): void {
    for (const [label, message] of Object.entries(seen)) t.diagnostic(`${label}: ${message}`);
    for (const k of Object.keys(seen)) delete seen[k];
  }

  test('standalone: auth, ACL, scripts, functions, transactions, streams, keys, unblock', async (t) => {
    const c = await open(plain.port);
    expectClass(
      'AUTH without password configured',
      await c.error('AUTH', 'not-the-password'),
      'AUTH',
      AuthenticationFailureError,
    );
    assert.equal(
      await c.send(
        'ACL',
        'SETUSER',
        'alice',
        'on',
        '>alicepw',
        '~allowed*',
        '&allowed*',
        '+get',
        '+auth',
        '+subscribe',
      ),
      'OK',
    );
    expectClass(
      'WRONGPASS (AUTH)',
      await c.error('AUTH', 'alice', 'wrong'),
      'AUTH',
      AuthenticationFailureError,
    );
    expectClass(
      'WRONGPASS (HELLO AUTH)',
      await c.error('HELLO', '2', 'AUTH', 'alice', 'wrong'),
      'HELLO',
      AuthenticationFailureError,
    );

    const alice = await open(plain.port);
    assert.equal(await alice.send('AUTH', 'alice', 'alicepw'), 'OK');
    expectClass('NOPERM command', await alice.error('SET', 'allowed:1', 'v'), 'SET', AuthorizationError);
    expectClass('NOPERM key', await alice.error('GET', 'secret'), 'GET', AuthorizationError);
    expectClass('NOPERM channel', await alice.error('SUBSCRIBE', 'secret'), 'SUBSCRIBE', AuthorizationError);

    expectClass('NOSCRIPT', await c.error('EVALSHA', 'f'.repeat(40), '0'), 'EVALSHA', NoScriptError);
    expectClass('NOTBUSY (SCRIPT KILL)', await c.error('SCRIPT', 'KILL'), 'SCRIPT', NotBusyError);
    expectClass('NOTBUSY (FUNCTION KILL)', await c.error('FUNCTION', 'KILL'), 'FUNCTION', NotBusyError);
    expectClass('FCALL missing function', await c.error('FCALL', 'nofn', '0'), 'FCALL', FunctionError);
    expectClass(
      'FUNCTION DELETE missing library',
      await c.error('FUNCTION', 'DELETE', 'nolib'),
      'FUNCTION',
      FunctionError,
    );
    expectClass(
      'FUNCTION LOAD bad code',
      await c.error('FUNCTION', 'LOAD', 'not lua'),
      'FUNCTION',
      FunctionError,
    );
    assert.equal(
      await c.send(
        'FUNCTION',
        'LOAD',
        "#!lua name=wlib\nredis.register_function('wincr', function(keys) return redis.call('incr', keys[1]) end)",
      ),
      'wlib',
    );
    assert.equal(await c.send('SET', 'str', 'abc'), 'OK');
    expectClass('FCALL runtime error', await c.error('FCALL', 'wincr', '1', 'str'), 'FCALL', FunctionError);
    expectClass(
      'FCALL_RO of a writing function',
      await c.error('FCALL_RO', 'wincr', '1', 'str'),
      'FCALL_RO',
      FunctionError,
    );
    // The same runtime error from EVAL is a plain ResponseError.
    expectClass(
      'EVAL runtime error',
      await c.error('EVAL', "return redis.call('incr', KEYS[1])", '1', 'str'),
      'EVAL',
      ResponseError,
    );

    assert.equal(await c.send('MULTI'), 'OK');
    const queued = await c.error('NOSUCHCOMMAND', 'secret-value');
    const unknown = expectClass('unknown command', queued, 'NOSUCHCOMMAND', ResponseError);
    assert.ok(queued.includes('secret-value'), 'the server echoes arguments…');
    assert.equal(unknown.message.includes('secret-value'), false, '…the mapped error does not');
    assert.equal(isUnknownCommand(unknown), true);
    expectClass('EXECABORT', await c.error('EXEC'), 'EXEC', ExecAbortError);

    assert.equal(await c.send('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'), 'OK');
    expectClass(
      'BUSYGROUP',
      await c.error('XGROUP', 'CREATE', 's', 'g', '$'),
      'XGROUP',
      StreamDuplicateConsumerGroupError,
    );
    expectClass('no such key', await c.error('RENAME', 'missing-key', 'other'), 'RENAME', NoKeyError);
    expectClass('WRONGTYPE', await c.error('LPUSH', 'str', 'x'), 'LPUSH', ResponseError);

    const blocked = await open(plain.port);
    const id = await blocked.send('CLIENT', 'ID');
    assert.equal(typeof id, 'number');
    const pending = blocked.error('BLPOP', 'empty-list', '30');
    await until(
      'BLPOP to block',
      async () => (await c.send('CLIENT', 'UNBLOCK', id as number, 'ERROR')) === 1,
    );
    expectClass('UNBLOCKED', await pending, 'BLPOP', UnblockedError);
    report(t);
  });

  test('requirepass: NOAUTH for commands and for HELLO', async (t) => {
    const s = await startRedis({ args: ['--requirepass', 'server-secret'] });
    servers.push(s);
    const c = await open(s.port);
    expectClass('NOAUTH', await c.error('GET', 'k'), 'GET', AuthenticationRequiredError);
    expectClass('NOAUTH (HELLO)', await c.error('HELLO', '3'), 'HELLO', AuthenticationRequiredError);
    expectClass(
      'WRONGPASS (default user)',
      await c.error('AUTH', 'not-it'),
      'AUTH',
      AuthenticationFailureError,
    );
    report(t);
  });

  test('replica: READONLY', async (t) => {
    const s = await startRedis({ args: ['--replicaof', '127.0.0.1', String(plain.port)] });
    servers.push(s);
    const c = await open(s.port);
    expectClass('READONLY', await c.error('SET', 'k', 'v'), 'SET', ReadOnlyError);
    report(t);
  });

  test("a replica loading its primary's dataset: LOADING -> BusyLoadingError", async (t) => {
    const primary = await startRedis({ args: ['--repl-diskless-sync-delay', '0'] });
    servers.push(primary);
    const p = await open(primary.port);
    const filled = await p.send(
      'EVAL',
      "for i = 1, 20000 do redis.call('SET', 'k' .. i, i) end return 1",
      '0',
    );
    assert.equal(filled, 1);
    // key-load-delay (µs per key) stretches the replica's load of the synced RDB to ~10 s, and
    // it answers clients between small chunks of it, so a PING meets LOADING.
    const replica = await startRedis({
      args: ['--key-load-delay', '500', '--loading-process-events-interval-bytes', '1024'],
    });
    servers.push(replica);
    const r = await open(replica.port);
    assert.equal(await r.send('REPLICAOF', '127.0.0.1', String(primary.port)), 'OK');
    let loading: string | undefined;
    await until('the replica to report LOADING', async () => {
      const reply = await r.send('PING');
      if (reply !== null && typeof reply === 'object' && !Array.isArray(reply)) loading = reply.error;
      return loading !== undefined;
    });
    const e = expectClass('LOADING', loading ?? '', 'PING', BusyLoadingError);
    assert.ok(e instanceof ConnectionError);
    r.close();
    await replica.kill();
    report(t);
  });

  test('cluster: CLUSTERDOWN, CROSSSLOT, MOVED (ip and empty endpoint), ASK, TRYAGAIN', async (t) => {
    const a = await startRedis({ args: ['--cluster-enabled', 'yes'] });
    const b = await startRedis({ args: ['--cluster-enabled', 'yes'] });
    servers.push(a, b);
    const ca = await open(a.port);
    const cb = await open(b.port);
    expectClass('CLUSTERDOWN', await ca.error('GET', 'foo'), 'GET', ClusterDownError);

    // Slots 0..8191 on a, 8192..16383 on b. Key slots: b -> 3300, f -> 3168, foo -> 12182.
    assert.equal(await ca.send('CLUSTER', 'ADDSLOTSRANGE', '0', '8191'), 'OK');
    assert.equal(await cb.send('CLUSTER', 'ADDSLOTSRANGE', '8192', '16383'), 'OK');
    assert.equal(await ca.send('CLUSTER', 'MEET', '127.0.0.1', String(b.port)), 'OK');
    const bId = await cb.send('CLUSTER', 'MYID');
    assert.equal(typeof bId, 'string');
    const ok = async (c: Raw): Promise<boolean> =>
      String(await c.send('CLUSTER', 'INFO')).includes('cluster_state:ok');
    await until('the two-node cluster to be ok', async () => (await ok(ca)) && (await ok(cb)));

    expectClass('CROSSSLOT', await ca.error('MGET', 'b', 'f'), 'MGET', ClusterCrossSlotError);
    const moved = expectClass('MOVED', await ca.error('GET', 'foo'), 'GET', MovedError) as MovedError;
    assert.deepEqual([moved.slot, moved.host, moved.port], [12182, '127.0.0.1', b.port]);

    assert.equal(await ca.send('CONFIG', 'SET', 'cluster-preferred-endpoint-type', 'unknown-endpoint'), 'OK');
    const same = expectClass(
      'MOVED (unknown endpoint)',
      await ca.error('GET', 'foo'),
      'GET',
      MovedError,
    ) as MovedError;
    assert.deepEqual([same.slot, same.host, same.port], [12182, '', b.port]);
    assert.equal(await ca.send('CONFIG', 'SET', 'cluster-preferred-endpoint-type', 'ip'), 'OK');

    assert.equal(await ca.send('SET', 'b', '1'), 'OK');
    assert.equal(await ca.send('CLUSTER', 'SETSLOT', '3300', 'MIGRATING', bId as string), 'OK');
    const ask = expectClass('ASK', await ca.error('GET', '{b}missing'), 'GET', AskError) as AskError;
    assert.deepEqual([ask.slot, ask.host, ask.port], [3300, '127.0.0.1', b.port]);
    expectClass('TRYAGAIN', await ca.error('MGET', 'b', '{b}missing'), 'MGET', TryAgainError);
    report(t);
  });
});
