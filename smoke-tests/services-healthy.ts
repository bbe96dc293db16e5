// Every compose service rig declares for the host is running and healthy (one-shot services: exited 0), read in one
// docker inspect.
import { containerStatesCmd, defineSmoke, judgeServices, parseContainerStates } from 'rig';

export default defineSmoke({
  id: 'services-healthy',
  description: 'every compose service rig declares for the host is running and healthy (one-shot services exited 0)',
  target: { services: 'any' },
  deadlineSec: 30,
  blocking: true,
  async run(ctx) {
    const names = ctx.services.map((s) => s.container);
    const r = await ctx.exec(containerStatesCmd(names));
    if (r.code !== 0)
      return {
        status: 'fail',
        evidence: [`cannot read the containers' state (exit ${r.code})`, ...r.stderr.trim().split('\n').slice(-5)],
      };
    return judgeServices(ctx.services, parseContainerStates(r.stdout, names));
  },
});
