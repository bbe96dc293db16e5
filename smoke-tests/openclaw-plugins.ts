// Plugin list: every configured channel's plugin is loaded in the running gateway (not disabled by default, §10.4).
import { defineSmoke, notLoaded, parsePluginsList, exec } from 'rig';

export default defineSmoke({
  id: 'openclaw-plugins',
  description:
    'every channel openclaw.json configures has its plugin loaded in the running gateway (openclaw plugins list --json)',
  target: { roles: ['openclaw'], services: ['openclaw'] },
  deadlineSec: 120,
  blocking: true,
  async run(ctx) {
    const telegram = ctx.vars['openclaw_telegram'] as { enabled: boolean } | null;
    const channels = telegram?.enabled ? ['telegram'] : [];
    const container = ctx.container('openclaw');
    const r = await ctx.exec(exec(['docker', 'exec', container, 'openclaw', 'plugins', 'list', '--json']));
    if (r.code !== 0)
      return {
        status: 'fail',
        evidence: [
          `openclaw plugins list failed (exit ${r.code}) in ${container}`,
          ...r.stderr.trim().split('\n').slice(-5),
        ],
      };
    const list = parsePluginsList(r.stdout);
    const missing = notLoaded(list, channels);
    const loaded = `loaded: ${list.loaded.join(', ') || 'none'}`;
    if (channels.length === 0) return { status: 'pass', evidence: ['no channel is configured', loaded] };
    if (missing.length > 0) {
      return {
        status: 'fail',
        evidence: [
          `channel plugin${missing.length > 1 ? 's' : ''} not loaded: ${missing.map((m) => `${m.id} (${m.status})`).join(', ')}: the channel is silent while the container is healthy`,
          loaded,
        ],
      };
    }
    return { status: 'pass', evidence: [`${channels.join(', ')} loaded`, loaded] };
  },
});
