import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/crisis/alert.ts';
import { CrisisPolicyConfig, decideCrisis, isSirenTest } from '../../src/crisis/crisis-policy.ts';
import { capAdapter } from '../../src/crisis/feeds/cap-adapter.ts';
import { krisinformationAdapter } from '../../src/crisis/feeds/krisinformation-adapter.ts';
import { smhiAdapter } from '../../src/crisis/feeds/smhi-adapter.ts';
import { srVmaAdapter } from '../../src/crisis/feeds/sr-vma-adapter.ts';
import { alertsOf, only, VARA_SIGN_IDS, VARA_SIGNS } from './crisis-test-kit.ts';
import { fixture } from './feed-replay-server.ts';

const vma = (name: string) => only(alertsOf(srVmaAdapter(), fixture(name)));
const MINUTE = 60_000;

const vmaAlert = vma('sr-vma-vara-alert.json');
const vmaUpdate = vma('sr-vma-vara-update.json');
const vmaCancel = vma('sr-vma-vara-cancel.json');
const atAlert = vmaAlert.sent + MINUTE;

describe('default policy on the fixtures', () => {
  it('takes over both signs for an Actual SR VMA for Vara', () => {
    const decision = decideCrisis(vmaAlert, VARA_SIGNS, atAlert);
    expect(decision.action).toBe('takeover');
    expect(decision.signIds).toEqual(VARA_SIGN_IDS);
    expect(decision.reason).toContain('municipality 1470');
  });

  it('updates on an Update and ends on a Cancel with null info', () => {
    expect(decideCrisis(vmaUpdate, VARA_SIGNS, vmaUpdate.sent)).toMatchObject({
      action: 'update',
      signIds: VARA_SIGN_IDS,
    });
    const end = decideCrisis(vmaCancel, VARA_SIGNS, vmaCancel.sent);
    expect(end).toMatchObject({ action: 'end', signIds: VARA_SIGN_IDS });
    expect(end.reason).toContain('SRVMA20260302101200A');
  });

  it('ignores a Test VMA and a VMA for Borås, with the reason', () => {
    const test = vma('sr-vma-test.json');
    expect(decideCrisis(test, VARA_SIGNS, test.sent)).toMatchObject({ action: 'ignore', signIds: [] });
    expect(decideCrisis(test, VARA_SIGNS, test.sent).reason).toContain('status Test');
    const boras = vma('sr-vma-other-kommun.json');
    const decision = decideCrisis(boras, VARA_SIGNS, boras.sent);
    expect(decision.action).toBe('ignore');
    expect(decision.reason).toContain('out of area (Borås kommun');
  });

  it('proposes the Krisinformation news item for county 14 and ignores the one for Dalarna', () => {
    const [vg, dalarna] = alertsOf(krisinformationAdapter(), fixture('krisinformation-news.json')) as [Alert, Alert];
    expect(decideCrisis(vg, VARA_SIGNS, vg.sent + MINUTE)).toMatchObject({ action: 'propose', signIds: VARA_SIGN_IDS });
    expect(decideCrisis(dalarna, VARA_SIGNS, vg.sent + MINUTE)).toMatchObject({ action: 'ignore' });
  });

  it('proposes the SMHI orange warning, also by its polygon alone', () => {
    const smhi = only(alertsOf(smhiAdapter(), fixture('smhi-warnings.json')));
    expect(decideCrisis(smhi, VARA_SIGNS, smhi.sent)).toMatchObject({ action: 'propose', signIds: VARA_SIGN_IDS });
    const polygonOnly = {
      ...smhi,
      areas: smhi.areas.map((a) => ({ ...a, shapes: a.shapes.filter((s) => s.kind === 'polygon') })),
    };
    const decision = decideCrisis(polygonOnly, VARA_SIGNS, smhi.sent);
    expect(decision.action).toBe('propose');
    expect(decision.reason).toContain('polygon');
  });

  it('proposes the CAP alert by default and takes over when configured', () => {
    const cap = only(alertsOf(capAdapter(), fixture('cap-vara.xml')));
    expect(decideCrisis(cap, VARA_SIGNS, cap.sent)).toMatchObject({ action: 'propose', signIds: VARA_SIGN_IDS });
    const config = CrisisPolicyConfig.parse({ sources: { cap: { onAlert: 'takeover' } } });
    expect(decideCrisis(cap, VARA_SIGNS, cap.sent, config).action).toBe('takeover');
    // The other sources keep their defaults.
    expect(config.sources['sr-vma'].onAlert).toBe('takeover');
    expect(config.sources.smhi.minLevel).toBe('ORANGE');
  });
});

describe('never shown', () => {
  it('ignores every non-Actual status', () => {
    for (const status of ['Exercise', 'Test', 'System', 'Draft'] as const) {
      const decision = decideCrisis({ ...vmaAlert, status }, VARA_SIGNS, atAlert);
      expect(decision.action, status).toBe('ignore');
      expect(decision.reason).toContain(`status ${status}`);
    }
    expect(decideCrisis({ ...vmaCancel, status: 'Exercise' }, VARA_SIGNS, atAlert).action).toBe('ignore');
  });

  it('ignores the quarterly siren test even when marked Actual', () => {
    const test = { ...vma('sr-vma-test.json'), status: 'Actual' as const };
    expect(isSirenTest(test)).toBe(true);
    expect(decideCrisis(test, VARA_SIGNS, test.sent).reason).toContain('test of the outdoor warning signal');
    // A real VMA at 15.00 on a test Monday is not a test.
    expect(isSirenTest({ ...vmaAlert, headline: 'Brand i Vara' })).toBe(false);
  });

  it('ignores an expired alert', () => {
    const decision = decideCrisis(vmaAlert, VARA_SIGNS, (vmaAlert.expires ?? 0) + 1);
    expect(decision.action).toBe('ignore');
    expect(decision.reason).toContain('expired');
  });

  it('ignores a Krisinformation item older than its maximum age (it has no expiry)', () => {
    const [vg] = alertsOf(krisinformationAdapter(), fixture('krisinformation-news.json')) as [Alert];
    expect(decideCrisis(vg, VARA_SIGNS, vg.sent + 25 * 60 * MINUTE).reason).toContain('older than 1440 min');
  });

  it('ignores SMHI yellow warnings by default', () => {
    const smhi = only(alertsOf(smhiAdapter(), fixture('smhi-warnings.json')));
    const yellow = { ...smhi, level: 'YELLOW' as const, severity: 'Moderate' as const };
    expect(decideCrisis(yellow, VARA_SIGNS, smhi.sent).reason).toContain('level YELLOW is below ORANGE');
  });

  it('ignores a disabled source, and Ack messages', () => {
    const config = CrisisPolicyConfig.parse({ sources: { 'sr-vma': { enabled: false } } });
    expect(decideCrisis(vmaAlert, VARA_SIGNS, atAlert, config).reason).toContain('disabled');
    expect(decideCrisis({ ...vmaAlert, msgType: 'Ack' }, VARA_SIGNS, atAlert).action).toBe('ignore');
  });
});

describe('updates and cancels against what is active', () => {
  const active = new Set([vmaAlert.id, ...vmaAlert.incidents]);

  it('resolves a Cancel by CAP triple or by bare id', () => {
    expect(decideCrisis(vmaCancel, VARA_SIGNS, atAlert, undefined, { activeAlertIds: active }).action).toBe('end');
    const bare = { ...vmaCancel, references: [{ id: vmaAlert.id, sender: null, sent: null }], incidents: [] };
    expect(decideCrisis(bare, VARA_SIGNS, atAlert, undefined, { activeAlertIds: new Set([vmaAlert.id]) }).action).toBe(
      'end',
    );
  });

  it('still ends on a Cancel of something it does not know (e.g. after a restart); the crisis state resolves it', () => {
    const decision = decideCrisis(vmaCancel, VARA_SIGNS, atAlert, undefined, { activeAlertIds: new Set(['OTHER']) });
    expect(decision.action).toBe('end');
    expect(decision.reason).toContain('none known to be active');
  });

  it('judges an Update of an alert never shown here as a new alert', () => {
    const decision = decideCrisis(vmaUpdate, VARA_SIGNS, vmaUpdate.sent, undefined, { activeAlertIds: new Set() });
    expect(decision.action).toBe('takeover');
    expect(decision.reason).toContain('judged as new');
  });

  it('ends the crisis when an Update moves the area away from the signs', () => {
    const moved = {
      ...vmaUpdate,
      areas: [{ description: 'Skara kommun', shapes: [{ kind: 'municipality' as const, code: '1495' }] }],
    };
    const decision = decideCrisis(moved, VARA_SIGNS, vmaUpdate.sent, undefined, { activeAlertIds: active });
    expect(decision.action).toBe('end');
    expect(decision.reason).toContain('area without signs');
  });

  it('ends a proposed SMHI warning when it is downgraded below the threshold', () => {
    const smhi = only(alertsOf(smhiAdapter(), fixture('smhi-warnings.json')));
    const downgraded = {
      ...smhi,
      msgType: 'Update' as const,
      level: 'YELLOW' as const,
      references: [{ id: smhi.id, sender: null, sent: null }],
    };
    const decision = decideCrisis(downgraded, VARA_SIGNS, smhi.sent, undefined, { activeAlertIds: new Set([smhi.id]) });
    expect(decision.action).toBe('end');
    expect(decision.reason).toContain('level YELLOW is below ORANGE');
  });
});
