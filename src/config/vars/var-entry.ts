// The unit of configuration: one variable with its value, where it was written and whether it is secret.
import type { SourceLocation } from '../../core/errors/diagnostic.js';
import type { YamlPath } from '../yaml-source.js';

/** The precedence layers, lowest first. README documents this table; `layerRank` orders them. */
export const LAYERS = [
  'built-in',
  'role defaults',
  'inventory all vars',
  'inventory group vars',
  'group_vars/all',
  'group_vars',
  'inventory host vars',
  'host_vars',
  'vars file',
  'extra var',
] as const;

export type Layer = (typeof LAYERS)[number];

/** A variable as written in one file (or on the command line). */
export interface VarEntry {
  readonly name: string;
  readonly value: unknown;
  readonly layer: Layer;
  /** Location of the variable's key. */
  readonly loc: SourceLocation;
  /** True when the value (or a part of it) came out of a vault. */
  readonly secret: boolean;
  /** Location of a nested part of the value (path relative to the variable). */
  locate(path: YamlPath): SourceLocation;
}

/** Secret marker placed in output instead of a secret value. */
export const SECRET_PLACEHOLDER = '<secret>';

/** Valid variable names, as Ansible's (a Python identifier, ASCII). */
export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
