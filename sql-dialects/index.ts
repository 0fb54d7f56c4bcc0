// Public entry point of sql-dialects: the built-in dialects are registered on
// import; parse / print / registry functions and the AST types are re-exported.

import { registerDialect } from './registry.ts';
import { postgres } from './postgres/dialect.ts';
import { mysql } from './mysql/dialect.ts';
import { tsql } from './tsql/dialect.ts';
import { firebird } from './firebird/dialect.ts';

registerDialect(postgres);
registerDialect(mysql);
registerDialect(tsql);
registerDialect(firebird);

export { postgres, mysql, tsql, firebird };
export { registerDialect, getDialect, listDialects } from './registry.ts';
export { parse, parseOne, parseBatches } from './parser.ts';
export { print } from './printer.ts';
export { stripLoc } from './loc.ts';
export { tokenize } from './lexer.ts';
export type { Token, TokenType } from './lexer.ts';
export { BaseDialect } from './base_dialect.ts';
export type { Dialect, OperatorTable, CaseFolding } from './dialect.ts';
export { parse_depth_max } from './errors.ts';
export type * from './ast.ts';
