/** Throwaway databases on the PostgreSQL named by DATABASE_URL. */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export const DATABASE_URL = process.env.DATABASE_URL;

export interface Throwaway {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase(): Promise<Throwaway> {
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const url = new URL(DATABASE_URL);
  const name = `infra_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  return {
    name,
    host: url.hostname,
    port: Number(url.port || 5432),
    username: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
    async drop() {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
