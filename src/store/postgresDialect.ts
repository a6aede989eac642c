/**
 * PostgreSQL through a pg Pool: for several bot replicas sharing one database (DATABASE_URL).
 * `schema` (optional) becomes the connection's search_path, so tests can use a throwaway schema.
 */
import { type DatabaseIntrospector, type DatabaseMetadata, type Dialect, type Kysely, PostgresDialect, type SchemaMetadata, sql, type TableMetadata } from 'kysely';
import { Pool } from 'pg';
import { StoreValidationError } from './storeErrors';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresOptions {
  connectionString: string;
  schema?: string;
  poolSize?: number;
  /** An idle pooled connection failed (server restart...). The pool drops it; queries reconnect. */
  onPoolError?: (error: Error) => void;
}

/**
 * What Kysely's migrator asks about: the tables of the connection's own schema only. Kysely's own
 * PostgreSQL introspector reads every schema in the database, so it can mistake another deployment's
 * migration tables for ours, and fails outright when another schema is dropped while it reads.
 */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    return (await sql<SchemaMetadata>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db)).rows;
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; type: string }>`
      select table_name as name, table_schema as schema, table_type as type
      from information_schema.tables where table_schema = current_schema()`.execute(this.db);
    return rows.map((t) => ({ name: t.name, schema: t.schema, isView: t.type === 'VIEW', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

class ChannelCheckPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

export function createPostgresDialect(options: PostgresOptions): Dialect {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new StoreValidationError('schema', 'must be a lower-case SQL identifier');
  }
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // Without a listener, an idle connection's error would crash the process.
  pool.on('error', options.onPoolError ?? ((error) => process.stderr.write(`channelcheck store: idle PostgreSQL connection failed: ${error.message}\n`)));
  return new ChannelCheckPostgresDialect({ pool });
}
