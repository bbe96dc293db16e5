// The API role modules and smoke tests import as `rig`: role definition, op types and the zod instance rig validates
// with.
export { defineRole, rolePrefix } from './core/desired/role.js';
export type { Role, RoleContext } from './core/desired/role.js';
export type { CommandOp, DirOp, FileOp, HandlerOp, Op, PathAttrs } from './core/desired/op.js';
export { cmd } from './core/cmd/template.js';
export { exec, sh, and, or, seq, pipe } from './core/cmd/cmd.js';
export { DOCKER_SOCKET_GROUP, serviceImage } from './core/desired/service.js';
export { closest, didYouMean } from './core/suggest.js';
export { cidrCovers, cidrHas, parseCidr, parseIpv4, type Cidr } from './core/ipv4.js';
export type { ServiceSpecInput, HealthGateInput, Phase } from './core/desired/service.js';
export type { ServiceOp, NetworkOp, YamlMergeOp } from './core/desired/op.js';
export type { SourceLocation } from './core/errors/diagnostic.js';
export { z } from 'zod';
export { imageRefSchema } from './registry/image-ref-schema.js';
// Readers a smoke check needs for what it fetches from a host: the deploy repository may have no node_modules of its
// own, so it gets them from rig (the same parsers rig reads env files and YAML with).
export { parseEnvFile } from './template/env/env-file.js';
export { parse as parseYaml } from 'yaml';
// OpenClaw's config allow-list and checks: the openclaw role renders with them, the smoke checks and the checklist
// reuse them.
export {
  OpenclawConfigSchema,
  GatewaySchema,
  SandboxSchema,
  TelegramSchema,
  PluginsSchema,
} from './openclaw/config-schema.js';
export type { OpenclawConfig } from './openclaw/config-schema.js';
export { checkOpenclawConfig } from './openclaw/config-checks.js';
export type { OpenclawFinding } from './openclaw/config-checks.js';
// Smoke tests (smoke-tests/<id>.ts): the module API, the context a check gets, and what services-healthy is built from.
export { defineSmoke } from './smoke/define-smoke.js';
export type { SmokeCheck, SmokeOutcome, SmokeStatus, SmokeTarget } from './smoke/define-smoke.js';
export type { SmokeContext, SmokeExecOptions, SmokeOccasion, SmokeService } from './smoke/smoke-context.js';
export type { ExecResult } from './transport/transport.js';
export { secret } from './core/cmd/cmd.js';
export { containerStatesCmd, parseContainerStates, type ContainerState } from './facts/containers/container-state.js';
export { judgeServices, serviceVerdict } from './smoke/service-health.js';
// LiteLLM config placement rules: the litellm role checks its variables with them, the litellm-config smoke check the
// deployed file.
export { checkHealthProbe, checkLiteLLMConfig, dailyHealthChecks } from './litellm/placement.js';
export type { Finding as LiteLLMFinding, LiteLLMCheckOptions } from './litellm/placement.js';
// The litellm-completion smoke check: the request made inside the LiteLLM container, and the verdict on each answer.
export { completionRequestCmd, parseCompletionAnswers, type CompletionAnswer } from './litellm/completion-request.js';
export {
  classifyCompletion,
  COMPLETION_KINDS,
  type CompletionKind,
  type CompletionVerdict,
} from './litellm/completion.js';
// What the OpenClaw and Telegram smoke checks run inside the gateway container (pure builders and parsers).
export { notLoaded, parsePluginsList } from './openclaw/plugins-list.js';
export {
  classifySandboxFailure,
  explainCmd,
  parseExplain,
  sandboxRunCmd,
  PROBE_SESSION,
} from './openclaw/sandbox-probe.js';
export { inContainerGetMe, parseInContainerGetMe } from './telegram/in-container-getme.js';
