// The compiler: optimised plan -> SBLR v2 bytecode, and back (the executor
// runs what the validating decoder returns: the bytecode is the contract).

export { encodePlan } from './encode.ts';
export { decodePlan, validateBytecode } from './decode.ts';
export { disassemble } from './disasm.ts';
export { bytecodeHash, OP, SBLR_VERSION, XOP } from './sblr.ts';
