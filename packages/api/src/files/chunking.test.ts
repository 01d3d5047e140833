import { describe, expect, test } from 'bun:test';
import { splitIntoChunks } from './chunking.ts';

const sentence = (n: number) => `Sentence number ${n} talks about topic ${n}.`;

describe('splitIntoChunks', () => {
  test('keeps every chunk within the size, numbered in reading order, with overlap', async () => {
    const text = Array.from({ length: 60 }, (_, i) => sentence(i)).join(' ');
    const chunks = await splitIntoChunks(text, 'text/plain', { chunkSize: 200, chunkOverlap: 50 });
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.map((chunk) => chunk.position)).toEqual(chunks.map((_, i) => i));
    for (const chunk of chunks) expect(chunk.content.length).toBeLessThanOrEqual(200);
    // Overlap: each chunk starts with words that ended the one before it.
    for (const [i, chunk] of chunks.slice(1).entries()) {
      const firstWords = chunk.content.split(' ').slice(0, 2).join(' ');
      expect(chunks[i]?.content).toContain(firstWords);
    }
    // Nothing is lost: every sentence is in some chunk.
    for (let i = 0; i < 60; i += 1) {
      expect(chunks.some((chunk) => chunk.content.includes(sentence(i)))).toBe(true);
    }
  });

  test('cuts at paragraphs before it cuts inside one', async () => {
    const paragraphs = ['A'.repeat(80), 'B'.repeat(80), 'C'.repeat(80)];
    const chunks = await splitIntoChunks(paragraphs.join('\n\n'), 'text/plain', {
      chunkSize: 100,
      chunkOverlap: 0,
    });
    expect(chunks.map((chunk) => chunk.content)).toEqual(paragraphs);
  });

  test('cuts Markdown at its headings', async () => {
    const markdown = `# Install\n\n${'Run the installer. '.repeat(4)}\n\n## Configure\n\n${'Edit the file. '.repeat(4)}`;
    const chunks = await splitIntoChunks(markdown, 'text/markdown', {
      chunkSize: 120,
      chunkOverlap: 0,
    });
    expect(chunks.map((chunk) => chunk.content.split('\n')[0])).toEqual([
      '# Install',
      '## Configure',
    ]);
  });

  test('a short text is one chunk', async () => {
    expect(
      await splitIntoChunks('Just this.', 'text/plain', { chunkSize: 1000, chunkOverlap: 100 }),
    ).toEqual([{ position: 0, content: 'Just this.' }]);
  });
});
