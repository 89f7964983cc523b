import type { DB } from './db.ts';
import { FileKeyedTable } from './fileKeyed.ts';

/** API errors seen in transcripts: rate limits (429), overloads, billing errors, retries. */
export interface ApiErrorRow {
  key: string;
  ts: number;
  session_id: string;
  project: string;
  kind: string;
  status: number | null;
  message: string;
  file_path: string;
  /** The account whose request it was (lib/util/account.ts). */
  account: string;
}

export class ApiErrorsTable extends FileKeyedTable<ApiErrorRow> {
  constructor(db: DB) {
    super(db, 'api_errors', [
      'key',
      'ts',
      'session_id',
      'project',
      'kind',
      'status',
      'message',
      'file_path',
      'account',
    ]);
  }
}
