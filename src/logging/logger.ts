/**
 * Everything the process writes is one JSON object per line on stdout, through
 * winston. A field tells the two streams apart so a log pipeline can split
 * them: "type": "decision" for the audit records (always written, whatever
 * the log level) and "type": "operational" for the rest (start, reloads,
 * errors), filtered by --log-level.
 */
import type { Writable } from 'node:stream';
import winston from 'winston';
import type { DecisionRecord } from '../audit/record.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** Writes one decision record. */
  decision(record: DecisionRecord): void;
  setLevel(level: LogLevel): void;
}

/** `time` first, then `type` and `level`, then the fields, for people reading raw lines. */
const jsonLine = winston.format.printf((info) => {
  const { level, message, type, ...fields } = info;
  const head: Record<string, unknown> = { time: new Date().toISOString(), type, level };
  if (type === 'operational') head.message = message;
  return JSON.stringify({ ...head, ...fields });
});

function transport(stream: Writable | undefined): winston.transport {
  return stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console();
}

export function createLogger(options: { level?: LogLevel; stream?: Writable } = {}): Logger {
  const operational = winston.createLogger({ level: options.level ?? 'info', levels: winston.config.npm.levels, format: jsonLine, transports: [transport(options.stream)] });
  const decisions = winston.createLogger({ level: 'info', format: jsonLine, transports: [transport(options.stream)] });
  const write = (level: LogLevel) => (message: string, fields: LogFields = {}) => operational.log({ level, message, type: 'operational', ...fields });
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    decision: (record) => decisions.log({ level: 'info', message: '', type: 'decision', ...record }),
    setLevel: (level) => {
      operational.level = level;
    },
  };
}

/** A logger that writes nothing, for code paths and tests that do not look at logs. */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  decision: () => undefined,
  setLevel: () => undefined,
};
