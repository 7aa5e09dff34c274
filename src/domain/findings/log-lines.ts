/**
 * Reading a console log as lines, in bounded memory whatever the file holds: overlong lines
 * are cut, invalid UTF-8 is replaced, binary data is noticed. What was odd about the input
 * is reported as warnings that name the file and line.
 */
import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../errors';

/** Longest line kept, in characters; the rest of the line is dropped. */
export const MAX_LINE_CHARS = 64 * 1024;

/** What was odd about one log. */
export interface LogDiagnostics {
  /** Lines cut to MAX_LINE_CHARS. */
  cutLines: number;
  /** First line that was cut (1-based), 0 if none. */
  firstCutLine: number;
  /** Characters that were not valid UTF-8 (replaced by U+FFFD). */
  invalidChars: number;
  /** Control characters other than tab, CR and LF: many mean the file is not text. */
  controlChars: number;
  /** Characters read. */
  chars: number;
  lines: number;
}

export function emptyDiagnostics(): LogDiagnostics {
  return { cutLines: 0, firstCutLine: 0, invalidChars: 0, controlChars: 0, chars: 0, lines: 0 };
}

/** Warnings a user should see for a log, each naming the file. */
export function describeDiagnostics(file: string, d: LogDiagnostics): string[] {
  const out: string[] = [];
  if (d.chars === 0) out.push(`${file}: is empty; there is no kernel output to analyse (did the node boot and was its console captured?)`);
  if (d.chars > 0 && d.controlChars + d.invalidChars > d.chars * 0.1) {
    out.push(`${file}: looks like binary data rather than a console log (${d.controlChars + d.invalidChars} of ${d.chars} characters are not text); parsed anyway`);
  } else if (d.invalidChars > 0) {
    out.push(`${file}: ${d.invalidChars} byte sequence(s) are not valid UTF-8 and were replaced`);
  }
  if (d.cutLines > 0) {
    out.push(`${file}: ${d.cutLines} line(s) longer than ${MAX_LINE_CHARS} characters were cut (first at line ${d.firstCutLine})`);
  }
  return out;
}

/** Splits text into lines with the same limits as the file reader; `onLine` gets each line. */
export class LineSplitter {
  private carry = '';
  private skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    readonly diagnostics: LogDiagnostics = emptyDiagnostics(),
  ) {}

  write(text: string): void {
    this.count(text);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (this.skipping) {
        this.skipping = false;
      } else if (this.carry.length > 0) {
        this.emit(this.carry + text.slice(start, nl));
        this.carry = '';
      } else {
        this.emit(text.slice(start, nl));
      }
      start = nl + 1;
    }
    if (start < text.length && !this.skipping) {
      this.carry += text.slice(start);
      if (this.carry.length > MAX_LINE_CHARS) {
        this.emit(this.carry);
        this.carry = '';
        this.skipping = true;
      }
    }
  }

  end(): void {
    if (this.carry.length > 0) this.emit(this.carry);
    this.carry = '';
  }

  private emit(line: string): void {
    this.diagnostics.lines++;
    if (line.length > MAX_LINE_CHARS) {
      this.diagnostics.cutLines++;
      if (this.diagnostics.firstCutLine === 0) this.diagnostics.firstCutLine = this.diagnostics.lines;
      line = line.slice(0, MAX_LINE_CHARS);
    }
    this.onLine(line);
  }

  private count(text: string): void {
    this.diagnostics.chars += text.length;
    // Cheap test first: almost every chunk of a real log has neither.
    if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.test(text)) return;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0xfffd) this.diagnostics.invalidChars++;
      else if (c < 0x20 && c !== 9 && c !== 10 && c !== 13) this.diagnostics.controlChars++;
    }
  }
}

/** Throws a UserError naming `path` unless it is a file that can be opened. */
export async function checkLogReadable(path: string): Promise<void> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new UserError(`${path}: is a directory, not a log file`, path, 'pass the log files inside it');
    await access(path, constants.R_OK);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${path}: cannot read the log (${(err as NodeJS.ErrnoException).code ?? String(err)})`, path, 'check the path');
  }
}

/**
 * Streams the lines of a file to `onLine`. A missing or unreadable path is the user's to
 * fix and raises a UserError naming it.
 */
export async function readLogLines(path: string, onLine: (line: string) => void): Promise<LogDiagnostics> {
  await checkLogReadable(path);
  const splitter = new LineSplitter(onLine);
  const decoder = new StringDecoder('utf8');
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) splitter.write(decoder.write(chunk as Buffer));
  } catch (err) {
    throw new UserError(`${path}: reading the log failed (${(err as Error).message})`, path, 'check the file');
  }
  splitter.write(decoder.end());
  splitter.end();
  return splitter.diagnostics;
}
