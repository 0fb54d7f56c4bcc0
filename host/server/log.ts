// Structured JSON logs: one line per event (time, level, component, event, ...).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export class Logger {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly sink: (line: string) => void = (l) => console.log(l),
    private readonly base: Record<string, unknown> = {},
  ) {}

  child(fields: Record<string, unknown>): Logger {
    return new Logger(this.level, this.sink, { ...this.base, ...fields });
  }

  log(level: LogLevel, component: string, event: string, fields: Record<string, unknown> = {}): void {
    if (ORDER[level] < ORDER[this.level]) return;
    this.sink(JSON.stringify({ time: new Date().toISOString(), level, component, event, ...this.base, ...fields }));
  }

  debug(component: string, event: string, fields?: Record<string, unknown>): void {
    this.log('debug', component, event, fields);
  }
  info(component: string, event: string, fields?: Record<string, unknown>): void {
    this.log('info', component, event, fields);
  }
  warn(component: string, event: string, fields?: Record<string, unknown>): void {
    this.log('warn', component, event, fields);
  }
  error(component: string, event: string, fields?: Record<string, unknown>): void {
    this.log('error', component, event, fields);
  }
}
