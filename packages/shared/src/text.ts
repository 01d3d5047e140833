/**
 * Text rules for everything a client stores. Strings are NFC-normalized; control
 * characters are refused (free text keeps newline and tab, and CRLF becomes LF);
 * lengths are capped by schema and counted in UTF-16 code units, as JavaScript does.
 * Stored text is never HTML-escaped: the API answers JSON with `nosniff`, and escaping
 * is the job of whoever renders it.
 */
import { z } from 'zod';

// Cc: C0 and C1 controls, DEL included. Free text allows \t and \n.
const ANY_CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_TAB_NEWLINE = /[^\P{Cc}\t\n]/u;

/** One line of text (a title, a name): trimmed, NFC, no control characters. */
export const lineText = (max: number) =>
  z
    .string()
    .normalize('NFC')
    .trim()
    .min(1, { error: 'Must not be empty' })
    .max(max, { error: `Must be at most ${max} characters` })
    .refine((value) => !ANY_CONTROL.test(value), { error: 'Must not contain control characters' });

/** Free text (a message): NFC, CRLF as LF, newline and tab allowed, no other controls. */
export const freeText = (max: number) =>
  z
    .string()
    .normalize('NFC')
    .overwrite((value) => value.replace(/\r\n/g, '\n'))
    .refine((value) => value.trim().length > 0, { error: 'Must not be empty' })
    .max(max, { error: `Must be at most ${max} characters` })
    .refine((value) => !CONTROL_EXCEPT_TAB_NEWLINE.test(value), {
      error: 'Must not contain control characters other than newline and tab',
    });
