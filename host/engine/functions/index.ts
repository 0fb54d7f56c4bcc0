// PostgreSQL's built-in operators, functions, aggregates, window functions
// and set-returning functions. Importing this module registers them all.

import './ops_arith.ts';
import './ops_compare.ts';
import './ops_datetime.ts';
import './strings.ts';
import './format.ts';
import './like.ts';
import './regex_funcs.ts';
import './math.ts';
import './datetime_extract.ts';
import './datetime_funcs.ts';
import './bytes.ts';
import './json_ops.ts';
import './json_funcs.ts';
import './jsonpath.ts';
import './arrays.ts';
import './srf.ts';
import './session_funcs.ts';
import './notify.ts';
import './sleep.ts';
import './advisory.ts';
import './to_char.ts';
import './to_timestamp.ts';
import './aggregates.ts';
import './agg_stats.ts';
import './window.ts';
import './bits.ts';

export * from './context.ts';
export * from './registry.ts';
export * from './resolve.ts';
export { isDistinctFrom, isDistinctVia } from './ops_compare.ts';
export { partitionView } from './window.ts';
