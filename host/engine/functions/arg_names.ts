// Parameter names of the built-in functions PostgreSQL declares with names
// (pg_proc.proargnames), for calls in named notation: make_interval(days => 1),
// jsonb_set(jsonb_in => j, path => '{a}', replacement => '1'). `defaults`
// holds the text of the trailing parameters' DEFAULT values
// (pg_get_function_arguments), read as untyped literals of the parameter's
// type when a call skips them but names a later one.

export interface NamedParams {
  names: readonly string[];
  defaults: readonly string[];
}

const jsonpathParams: NamedParams = { names: ['target', 'path', 'vars', 'silent'], defaults: ['{}', 'false'] };

const NAMED: Record<string, readonly NamedParams[]> = {
  make_interval: [{ names: ['years', 'months', 'weeks', 'days', 'hours', 'mins', 'secs'], defaults: ['0', '0', '0', '0', '0', '0', '0.0'] }],
  make_date: [{ names: ['year', 'month', 'day'], defaults: [] }],
  make_time: [{ names: ['hour', 'min', 'sec'], defaults: [] }],
  make_timestamp: [{ names: ['year', 'month', 'mday', 'hour', 'min', 'sec'], defaults: [] }],
  make_timestamptz: [
    { names: ['year', 'month', 'mday', 'hour', 'min', 'sec'], defaults: [] },
    { names: ['year', 'month', 'mday', 'hour', 'min', 'sec', 'timezone'], defaults: [] },
  ],
  jsonb_set: [{ names: ['jsonb_in', 'path', 'replacement', 'create_if_missing'], defaults: ['true'] }],
  jsonb_insert: [{ names: ['jsonb_in', 'path', 'replacement', 'insert_after'], defaults: ['false'] }],
  jsonb_path_exists: [jsonpathParams],
  jsonb_path_exists_tz: [jsonpathParams],
  jsonb_path_match: [jsonpathParams],
  jsonb_path_match_tz: [jsonpathParams],
  jsonb_path_query: [jsonpathParams],
  jsonb_path_query_tz: [jsonpathParams],
  jsonb_path_query_array: [jsonpathParams],
  jsonb_path_query_array_tz: [jsonpathParams],
  jsonb_path_query_first: [jsonpathParams],
  jsonb_path_query_first_tz: [jsonpathParams],
};

/** The named signatures of a built-in function (none when PostgreSQL declares no names). */
export function namedSignatures(name: string): readonly NamedParams[] {
  return NAMED[name] ?? [];
}
