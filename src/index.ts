// The API role modules and smoke tests import as `rig`: role definition, op types and the zod instance rig validates with.
export { defineRole, rolePrefix } from './core/role.js';
export type { Role, RoleContext } from './core/role.js';
export type { DirOp, FileOp, Op, PathAttrs } from './core/op.js';
export { z } from 'zod';
