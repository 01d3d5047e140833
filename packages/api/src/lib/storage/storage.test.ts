/**
 * The storage contract, run against both adapters: the local directory, and S3 through
 * aws-sdk-client-mock (a bucket kept in a Map behind the mocked commands).
 */
import { afterAll, beforeEach, describe, expect, test } from 'bun:test';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createLocalStorage, type LocalStorage } from './local.ts';
import { createS3Storage } from './s3.ts';
import { storageTokenKey } from './tokens.ts';
import { type ObjectStorage, objectKeyOf } from './types.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const streamOf = (data: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(data);
      controller.close();
    },
  });

interface Subject {
  storage: ObjectStorage;
  /** Stores `data` under `key` as a client's upload would. */
  put(key: string, data: Uint8Array): Promise<void>;
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function localSubject(): Promise<Subject & { storage: LocalStorage; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'storage-'));
  dirs.push(dir);
  const storage = createLocalStorage({
    dir,
    publicUrl: 'http://localhost:3000',
    signingKey: storageTokenKey('x'.repeat(32)),
  });
  return {
    storage,
    dir,
    async put(key, data) {
      expect(await storage.write(key, streamOf(data), data.byteLength)).toBe('stored');
    },
  };
}

const s3Mock = mockClient(S3Client);
const bucket = new Map<string, Uint8Array>();
const notFound = () => Object.assign(new Error('NotFound'), { name: 'NotFound' });

function s3Subject(): Subject {
  s3Mock.reset();
  bucket.clear();
  s3Mock.on(HeadObjectCommand).callsFake(({ Key }) => {
    const object = bucket.get(Key);
    if (!object) throw notFound();
    return { ContentLength: object.byteLength };
  });
  s3Mock.on(GetObjectCommand).callsFake(({ Key, Range }) => {
    const object = bucket.get(Key);
    if (!object) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    const [, start, end] = /^bytes=(\d+)-(\d+)$/.exec(Range ?? '') ?? [];
    const body = start ? object.subarray(Number(start), Number(end) + 1) : object;
    return { Body: { transformToByteArray: async () => body } };
  });
  s3Mock.on(DeleteObjectCommand).callsFake(({ Key }) => {
    bucket.delete(Key);
    return {};
  });
  const client = new S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  return {
    storage: createS3Storage({ bucket: 'uploads', client }),
    async put(key, data) {
      bucket.set(key, data);
    },
  };
}

const KEY = objectKeyOf('user-1', '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e');

describe.each([
  ['local', localSubject],
  ['s3', async () => s3Subject()],
] as const)('the %s storage', (_, make) => {
  let subject: Subject;
  beforeEach(async () => {
    subject = await make();
  });

  test('head, readStart and read see what was stored; nothing stored is null', async () => {
    expect(await subject.storage.head(KEY)).toBeNull();
    expect(await subject.storage.readStart(KEY, 4)).toBeNull();
    expect(await subject.storage.read(KEY)).toBeNull();
    await subject.put(KEY, bytes('hello world'));
    expect(await subject.storage.head(KEY)).toEqual({ size: 11 });
    expect(new TextDecoder().decode((await subject.storage.readStart(KEY, 5)) ?? undefined)).toBe(
      'hello',
    );
    expect(new TextDecoder().decode((await subject.storage.readStart(KEY, 100)) ?? undefined)).toBe(
      'hello world',
    );
    expect(new TextDecoder().decode((await subject.storage.read(KEY)) ?? undefined)).toBe(
      'hello world',
    );
  });

  test('delete removes the object, and deleting nothing is no error', async () => {
    await subject.put(KEY, bytes('x'));
    await subject.storage.delete(KEY);
    expect(await subject.storage.head(KEY)).toBeNull();
    await subject.storage.delete(KEY);
  });

  test('an upload target and a download link expire when asked', async () => {
    const before = Date.now();
    const upload = await subject.storage.createUpload({
      key: KEY,
      contentType: 'text/plain',
      size: 11,
      expiresInSeconds: 60,
    });
    expect(['POST', 'PUT']).toContain(upload.method);
    const expires = Date.parse(upload.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 59_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 61_000);
    const link = await subject.storage.createDownload({
      key: KEY,
      fileName: 'notes.txt',
      contentType: 'text/plain',
      expiresInSeconds: 60,
    });
    expect(new URL(link.url).protocol).toMatch(/^https?:$/);
    expect(Date.parse(link.expiresAt)).toBeGreaterThan(before);
  });
});

describe('the S3 storage', () => {
  test('its presigned POST pins the exact size, the content type and the user prefix', async () => {
    const { storage } = s3Subject();
    const upload = await storage.createUpload({
      key: KEY,
      contentType: 'application/pdf',
      size: 1234,
      expiresInSeconds: 300,
    });
    expect(upload.method).toBe('POST');
    expect(upload.url).toContain('uploads');
    expect(upload.fields?.key).toBe(KEY);
    expect(upload.fields?.['Content-Type']).toBe('application/pdf');
    const policy = JSON.parse(Buffer.from(upload.fields?.Policy ?? '', 'base64').toString()) as {
      expiration: string;
      conditions: unknown[];
    };
    expect(policy.conditions).toContainEqual(['content-length-range', 1234, 1234]);
    expect(policy.conditions).toContainEqual(['eq', '$Content-Type', 'application/pdf']);
    expect(policy.conditions).toContainEqual(['starts-with', '$key', 'users/user-1/']);
    expect(Date.parse(policy.expiration)).toBeLessThanOrEqual(Date.now() + 301_000);
  });

  test('its download link is a presigned GET that saves under the file name', async () => {
    const { storage } = s3Subject();
    const link = await storage.createDownload({
      key: KEY,
      fileName: 'report final.pdf',
      contentType: 'application/pdf',
      expiresInSeconds: 120,
    });
    const url = new URL(link.url);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('120');
    expect(url.searchParams.get('response-content-disposition')).toBe(
      "attachment; filename*=UTF-8''report%20final.pdf",
    );
  });
});

describe('the local storage', () => {
  test('a body larger than declared is refused and nothing is kept', async () => {
    const { storage, dir } = await localSubject();
    expect(await storage.write(KEY, streamOf(bytes('too many bytes')), 4)).toBe('too-large');
    expect(await storage.write(KEY, streamOf(bytes('ab')), 4)).toBe('too-small');
    expect(await storage.head(KEY)).toBeNull();
    expect(await readdir(join(dir, 'users', 'user-1')).catch(() => [])).toEqual([]);
  });

  test('its tokens are for one purpose, refuse tampering and expire', async () => {
    let now = Date.now();
    const dir = await mkdtemp(join(tmpdir(), 'storage-'));
    dirs.push(dir);
    const storage = createLocalStorage({
      dir,
      publicUrl: 'http://localhost:3000',
      signingKey: storageTokenKey('y'.repeat(32)),
      now: () => now,
    });
    const upload = await storage.createUpload({
      key: KEY,
      contentType: 'text/plain',
      size: 3,
      expiresInSeconds: 60,
    });
    const token = new URL(upload.url).searchParams.get('token') ?? '';
    expect(storage.verify(token, 'upload')).toMatchObject({ key: KEY, size: 3 });
    expect(storage.verify(token, 'download')).toBeNull();
    const [body, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...storage.verify(token, 'upload'), size: 999 }),
    ).toString('base64url');
    expect(storage.verify(`${forged}.${signature}`, 'upload')).toBeNull();
    expect(storage.verify(`${body}.${signature?.slice(1)}x`, 'upload')).toBeNull();
    now += 61_000;
    expect(storage.verify(token, 'upload')).toBeNull();
  });

  test('a key that would leave the directory is refused', async () => {
    const { storage } = await localSubject();
    await expect(storage.head('../../etc/passwd')).rejects.toThrow('Invalid object key');
  });
});
