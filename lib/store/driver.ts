// Which SQLite the store runs on: better-sqlite3 when its compiled addon loads in this Node, else
// Node's own node:sqlite, behind the one interface the tables use (`DB`). better-sqlite3's Database is
// that interface as it is (no wrapper on the usual path); node:sqlite gets a thin adapter that gives it
// better-sqlite3's transactions, pragmas, plucked statements and error codes.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { StoreError } from '../util/errors.ts';

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A prepared statement, as better-sqlite3 types it (the subset the tables use). */
export interface Statement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
  /** Rows become their first column's value. */
  pluck(on?: boolean): this;
  /** Rows become arrays of their values. */
  raw(on?: boolean): this;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as better-sqlite3 types a transaction's function
type TxFn = (...args: any[]) => unknown;
export interface Transaction<F extends TxFn> {
  (...args: Parameters<F>): ReturnType<F>;
  immediate(...args: Parameters<F>): ReturnType<F>;
}

/** What the store needs of a database connection; better-sqlite3's Database is one as it is. */
export interface DB {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- better-sqlite3's own signature: {} is "named parameters"
  prepare<P extends unknown[] | {} = unknown[], R = unknown>(
    sql: string,
  ): P extends unknown[] ? Statement<P, R> : Statement<[P], R>;
  exec(sql: string): this;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<F extends TxFn>(fn: F): Transaction<F>;
  readonly inTransaction: boolean;
  readonly open: boolean;
  close(): void;
}

export type DriverName = 'better-sqlite3' | 'node:sqlite';

export interface Driver {
  name: DriverName;
  /** Why this one: said by `doctor` and `status --json`. */
  why: string;
  open(file: string, opts: { readonly: boolean }): DB;
}

/**
 * Neither SQLite can run in this Node. The message names the cause and the one command that fixes it,
 * and is what every command, the hooks' notification and `doctor` say.
 */
export class NoSqliteError extends StoreError {
  constructor(
    readonly why: string,
    readonly fix: string,
  ) {
    super(`${why}; fix: ${fix}`);
  }
}

const load = createRequire(import.meta.url);

type BetterSqlite = typeof import('better-sqlite3');
type Options = import('better-sqlite3').Options;
type Attempt<T> = { ok: T } | { why: string; fix: string };

/** Where `npm rebuild better-sqlite3` has to run: the folder whose node_modules holds it. */
function installFolder(pkgDir: string): string {
  return dirname(dirname(pkgDir));
}

const rebuildFix = (folder: string): string =>
  `run \`npm rebuild better-sqlite3\` in ${folder} (it builds the addon for this Node; ccguard's package.json allows that script)`;

/**
 * better-sqlite3 and its addon, loaded here rather than by better-sqlite3 (which would ask the
 * `bindings` package: two more modules and a dozen directories probed on every start). In the built
 * bundles the literal `require` below is esbuild's: better-sqlite3's JavaScript is bundled (evaluated
 * on first use), which spares every full check resolving its dozen module files; run from source
 * (tests, tsx) there is no `require` and the package loads as usual.
 */
function tryBetter(): Attempt<Driver> {
  let pkgDir: string;
  let Database: BetterSqlite;
  try {
    pkgDir = dirname(dirname(load.resolve('better-sqlite3')));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- in the bundle this is esbuild's require (see above)
    Database = (typeof require === 'function' ? require('better-sqlite3') : load('better-sqlite3')) as BetterSqlite;
  } catch {
    // An optional dependency: npm leaves it out when its addon cannot be built.
    const own = ownPackage();
    const version = own?.optionalDependencies?.['better-sqlite3'];
    return {
      why: 'better-sqlite3 is not installed (npm leaves it out when its addon cannot be built here: no C++ compiler, or no headers for this Node offline)',
      fix: `run \`npm install --no-save --omit=dev better-sqlite3${version ? `@${version}` : ''}\` in ${own?.dir ?? "ccguard's folder"} where it can be built`,
    };
  }
  const folder = installFolder(pkgDir);
  const addonFile = join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(addonFile)) {
    return {
      why: "better-sqlite3's addon is not built (its install script did not run: npm 12 blocks install scripts it was not told to allow, and `--ignore-scripts` skips them)",
      fix: rebuildFix(folder),
    };
  }
  let addon: unknown;
  try {
    addon = load(addonFile);
  } catch (err) {
    const m = /NODE_MODULE_VERSION (\d+)\. This version of Node\.js requires\s+NODE_MODULE_VERSION (\d+)/.exec(
      String((err as Error).message),
    );
    const why = m
      ? `better-sqlite3's addon was built for another Node (NODE_MODULE_VERSION ${m[1]}; Node ${process.versions.node} needs ${m[2]})`
      : `better-sqlite3's addon does not load in Node ${process.versions.node} (${short(err)})`;
    return { why, fix: rebuildFix(folder) };
  }
  const nativeBinding = addon as object;
  return {
    ok: {
      name: 'better-sqlite3',
      why: 'its addon loads in this Node (the first choice)',
      // @types/better-sqlite3 says a path; better-sqlite3 12 takes the loaded addon too.
      open: (file, { readonly }) =>
        new Database(file, { readonly, fileMustExist: readonly, nativeBinding } as unknown as Options) as unknown as DB,
    },
  };
}

/** ccguard's own package.json and its folder, found above this module (source or bundle alike). */
function ownPackage(): { dir: string; optionalDependencies?: Record<string, string> } | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)), i = 0; i < 6; dir = dirname(dir), i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        optionalDependencies?: Record<string, string>;
      };
      if (pkg.name === 'ccguard')
        return { dir, ...(pkg.optionalDependencies ? { optionalDependencies: pkg.optionalDependencies } : {}) };
    } catch {
      // no package.json here: one folder up
    }
  }
  return null;
}

/** The part of node:sqlite the adapter uses (@types/node for Node 20 has none of it). */
interface NodeStmt {
  run(...p: unknown[]): RunResult;
  get(...p: unknown[]): unknown;
  all(...p: unknown[]): unknown[];
  iterate(...p: unknown[]): IterableIterator<unknown>;
  setReturnArrays?(on: boolean): void;
  setAllowUnknownNamedParameters?(on: boolean): void;
}
interface NodeDb {
  prepare(sql: string): NodeStmt;
  exec(sql: string): void;
  close(): void;
  readonly isTransaction: boolean;
}
type NodeDbClass = new (file: string, opts: { readOnly: boolean }) => NodeDb;

function tryNode(): Attempt<NodeDbClass> {
  const node = process.versions.node;
  const switchedOff = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes(
    '--no-experimental-sqlite',
  );
  let mod: { Database?: NodeDbClass; DatabaseSync?: NodeDbClass } | undefined;
  // Node 22 and 24 print "SQLite is an experimental feature" on stderr when it first loads: it would
  // land in every command's output and the hooks' stderr, so that one warning is held back here.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, below
  const original = process.emitWarning;
  process.emitWarning = (w: string | Error, ...rest: unknown[]): void => {
    if (!String(typeof w === 'string' ? w : w.message).includes('SQLite'))
      Reflect.apply(original, process, [w, ...rest]);
  };
  try {
    mod = process.getBuiltinModule?.('node:sqlite');
  } catch {
    mod = undefined;
  } finally {
    process.emitWarning = original;
  }
  // `Database` from Node 26.11, where the older name `DatabaseSync` warns that it is deprecated.
  const DatabaseSync = mod?.Database ?? mod?.DatabaseSync;
  if (!DatabaseSync && switchedOff)
    return {
      why: `node:sqlite is switched off in this Node (--no-experimental-sqlite)`,
      fix: 'run it without --no-experimental-sqlite',
    };
  if (!DatabaseSync)
    return {
      why: `Node ${node} has no node:sqlite (it has one without a flag from Node 22.13)`,
      fix: 'run ccguard on Node 22.16 or newer, whose own node:sqlite it then uses',
    };
  // An accessor of each connection, not of the prototype: asked of a throwaway in-memory one.
  let probe: NodeDb | undefined;
  let canTellTransactions = false;
  try {
    probe = new DatabaseSync(':memory:', { readOnly: false });
    canTellTransactions = typeof probe.isTransaction === 'boolean';
  } catch {
    // treated as too old below
  } finally {
    probe?.close();
  }
  if (!canTellTransactions) {
    return {
      why: `Node ${node}'s node:sqlite is too old (it cannot tell whether a transaction is open, which came in Node 22.16)`,
      fix: 'run ccguard on Node 22.16 or newer',
    };
  }
  return { ok: DatabaseSync };
}

function nodeDriver(DatabaseSync: NodeDbClass, why: string): Driver {
  return { name: 'node:sqlite', why, open: (file, { readonly }) => new NodeSqliteDb(DatabaseSync, file, readonly) };
}

/**
 * Chooses once: better-sqlite3 when its addon loads, else node:sqlite, else a NoSqliteError naming
 * both causes. CCGUARD_SQLITE_DRIVER=better|node forces one (the tests run the store on each).
 */
export function chooseDriver(forced: string | undefined): Driver {
  if (forced !== undefined && forced !== '' && forced !== 'better' && forced !== 'node') {
    throw new StoreError(`CCGUARD_SQLITE_DRIVER=${forced} is not a driver: use better or node, or leave it unset`);
  }
  if (forced === 'node') {
    const n = tryNode();
    if ('ok' in n) return nodeDriver(n.ok, 'CCGUARD_SQLITE_DRIVER=node');
    throw new NoSqliteError(`CCGUARD_SQLITE_DRIVER=node, but ${n.why}`, n.fix);
  }
  const b = tryBetter();
  if ('ok' in b) return forced === 'better' ? { ...b.ok, why: 'CCGUARD_SQLITE_DRIVER=better' } : b.ok;
  if (forced === 'better') throw new NoSqliteError(`CCGUARD_SQLITE_DRIVER=better, but ${b.why}`, b.fix);
  const n = tryNode();
  if ('ok' in n) return nodeDriver(n.ok, `${b.why}; Node's own node:sqlite opens the same database`);
  throw new NoSqliteError(`no SQLite for the state database: ${b.why}, and ${n.why}`, `${b.fix}, or ${n.fix}`);
}

let chosen: Driver | NoSqliteError | StoreError | undefined;

/** The driver of this process, decided on first use (a hook's fast path never asks). */
export function sqliteDriver(): Driver {
  if (chosen === undefined) {
    try {
      chosen = chooseDriver(process.env.CCGUARD_SQLITE_DRIVER);
    } catch (err) {
      chosen = err instanceof StoreError ? err : new StoreError('cannot load SQLite', { cause: err });
    }
  }
  if (chosen instanceof Error) throw chosen;
  return chosen;
}

function short(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.split('\n')[0]?.slice(0, 200) ?? m;
}

// SQLite's result codes by number, to give node:sqlite's errors the `code` better-sqlite3's carry
// (SQLITE_NOTADB, SQLITE_BUSY...): the corruption recovery and the error messages read it.
const PRIMARY = [
  'OK',
  'ERROR',
  'INTERNAL',
  'PERM',
  'ABORT',
  'BUSY',
  'LOCKED',
  'NOMEM',
  'READONLY',
  'INTERRUPT',
  'IOERR',
  'CORRUPT',
  'NOTFOUND',
  'FULL',
  'CANTOPEN',
  'PROTOCOL',
  'EMPTY',
  'SCHEMA',
  'TOOBIG',
  'CONSTRAINT',
  'MISMATCH',
  'MISUSE',
  'NOLFS',
  'AUTH',
  'FORMAT',
  'RANGE',
  'NOTADB',
];
const EXTENDED: Record<number, string> = {
  261: 'BUSY_RECOVERY',
  517: 'BUSY_SNAPSHOT',
  773: 'BUSY_TIMEOUT',
  267: 'CORRUPT_VTAB',
  523: 'CORRUPT_SEQUENCE',
  779: 'CORRUPT_INDEX',
  275: 'CONSTRAINT_CHECK',
  787: 'CONSTRAINT_FOREIGNKEY',
  1299: 'CONSTRAINT_NOTNULL',
  1555: 'CONSTRAINT_PRIMARYKEY',
  2067: 'CONSTRAINT_UNIQUE',
  522: 'IOERR_SHORT_READ',
  1032: 'READONLY_DBMOVED',
};

/** node:sqlite's error with better-sqlite3's `code`; anything else as it came. */
function asSqliteError(err: unknown): unknown {
  const e = err as { code?: unknown; errcode?: unknown };
  if (err instanceof Error && e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') {
    const name = EXTENDED[e.errcode] ?? PRIMARY[e.errcode & 0xff] ?? 'ERROR';
    Object.defineProperty(err, 'code', {
      value: `SQLITE_${name}`,
      configurable: true,
      writable: true,
      enumerable: true,
    });
  }
  return err;
}

class NodeStatement {
  /** better-sqlite3's row modes: objects, the first column (pluck), or arrays (raw). */
  private mode: 'object' | 'pluck' | 'raw' = 'object';
  constructor(private readonly s: NodeStmt) {
    // better-sqlite3 binds the named parameters a statement has and ignores other keys of the object.
    s.setAllowUnknownNamedParameters?.(true);
  }
  run(...p: unknown[]): RunResult {
    try {
      return this.s.run(...p);
    } catch (err) {
      throw asSqliteError(err);
    }
  }
  get(...p: unknown[]): unknown {
    try {
      const row = this.s.get(...p);
      return row === undefined ? row : this.shape(row);
    } catch (err) {
      throw asSqliteError(err);
    }
  }
  all(...p: unknown[]): unknown[] {
    try {
      const rows = this.s.all(...p);
      return rows.map((r) => this.shape(r));
    } catch (err) {
      throw asSqliteError(err);
    }
  }
  *iterate(...p: unknown[]): IterableIterator<unknown> {
    try {
      for (const row of this.s.iterate(...p)) yield this.shape(row);
    } catch (err) {
      throw asSqliteError(err);
    }
  }
  pluck(on = true): this {
    return this.setMode(on ? 'pluck' : 'object');
  }
  raw(on = true): this {
    return this.setMode(on ? 'raw' : 'object');
  }
  private setMode(mode: 'object' | 'pluck' | 'raw'): this {
    this.mode = mode;
    // Rows as arrays where this Node can, so that a plucked row is its first column even when a later
    // one has the same name.
    this.s.setReturnArrays?.(mode !== 'object');
    return this;
  }
  private shape(row: unknown): unknown {
    // node:sqlite's rows have no prototype; better-sqlite3's are plain objects, and so are these.
    if (this.mode === 'object') return { ...(row as object) };
    const values = Array.isArray(row) ? row : Object.values(row as Record<string, unknown>);
    return this.mode === 'pluck' ? values[0] : values;
  }
}

function first(row: unknown): unknown {
  if (Array.isArray(row)) return row[0];
  for (const k in row as Record<string, unknown>) return (row as Record<string, unknown>)[k];
  return undefined;
}

/** node:sqlite behind better-sqlite3's interface: the same SQL, transactions and results. */
class NodeSqliteDb implements DB {
  private readonly db: NodeDb;
  private isOpen = true;
  private readonly pragmas = new Map<string, NodeStmt>();

  constructor(DatabaseSync: NodeDbClass, file: string, readonly: boolean) {
    try {
      this.db = new DatabaseSync(file, { readOnly: readonly });
    } catch (err) {
      throw asSqliteError(err);
    }
  }

  get inTransaction(): boolean {
    return this.isOpen && this.db.isTransaction;
  }

  get open(): boolean {
    return this.isOpen;
  }

  prepare(sql: string): never {
    try {
      return new NodeStatement(this.db.prepare(sql)) as never;
    } catch (err) {
      throw asSqliteError(err);
    }
  }

  exec(sql: string): this {
    try {
      this.db.exec(sql);
    } catch (err) {
      throw asSqliteError(err);
    }
    return this;
  }

  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    let s = this.pragmas.get(source);
    if (!s) {
      try {
        s = this.db.prepare(`PRAGMA ${source}`);
      } catch (err) {
        throw asSqliteError(err);
      }
      this.pragmas.set(source, s);
    }
    try {
      if (!options.simple) return s.all();
      const row = s.get();
      return row === undefined ? undefined : first(row);
    } catch (err) {
      throw asSqliteError(err);
    }
  }

  /**
   * As better-sqlite3's: BEGIN (IMMEDIATE), the function, COMMIT; a throw rolls back, and inside
   * another transaction it is a savepoint.
   */
  transaction<F extends TxFn>(fn: F): Transaction<F> {
    const variant =
      (begin: string): ((...args: Parameters<F>) => ReturnType<F>) =>
      (...args) => {
        if (this.inTransaction) {
          this.exec('SAVEPOINT ccguard_tx');
          try {
            const out = fn(...args) as ReturnType<F>;
            this.exec('RELEASE ccguard_tx');
            return out;
          } catch (err) {
            if (this.inTransaction) {
              this.exec('ROLLBACK TO ccguard_tx');
              this.exec('RELEASE ccguard_tx');
            }
            throw err;
          }
        }
        this.exec(begin);
        try {
          const out = fn(...args) as ReturnType<F>;
          this.exec('COMMIT');
          return out;
        } catch (err) {
          if (this.inTransaction) this.exec('ROLLBACK');
          throw err;
        }
      };
    const tx = variant('BEGIN') as Transaction<F>;
    tx.immediate = variant('BEGIN IMMEDIATE');
    return tx;
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.db.close();
  }
}
