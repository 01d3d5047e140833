import { describe, expect, test } from 'bun:test';
import { ERROR_CODES } from '../../../api/src/lib/errors.ts';
import { STAGE_CONFIGS, STAGE_NAMES } from '../../src/config.ts';
import { PAYLOAD_TOO_LARGE } from '../../src/lib/edge-errors.ts';
import { stageApp, template } from '../helpers/synth.ts';

interface Rule {
  Name: string;
  Priority: number;
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: synthesized template JSON, read path by path
  Statement: Record<string, any>;
}

function webAcl(stage: (typeof STAGE_NAMES)[number]) {
  const [acl] = Object.values(
    template(stageApp(stage).stacks.edgeGlobal).findResources('AWS::WAFv2::WebACL'),
  );
  if (!acl) throw new Error('no web ACL');
  return acl.Properties as {
    Rules: Rule[];
    AssociationConfig: unknown;
    CustomResponseBodies: Record<string, { ContentType: string; Content: string }>;
  };
}

const rule = (rules: Rule[], name: string) => {
  const found = rules.find((r) => r.Name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};

const overrides = (rules: Rule[], group: string) =>
  Object.fromEntries(
    (rule(rules, group).Statement.ManagedRuleGroupStatement.RuleActionOverrides ?? []).map(
      (o: { Name: string; ActionToUse: Record<string, unknown> }) => [o.Name, o.ActionToUse],
    ),
  );

describe.each(STAGE_NAMES)('EdgeGlobalStack WAF (%s)', (stage) => {
  test('the Common Rule Set counts SizeRestrictions_BODY, CrossSiteScripting_BODY and GenericLFI_BODY', () => {
    expect(overrides(webAcl(stage).Rules, 'AWSManagedRulesCommonRuleSet')).toEqual({
      SizeRestrictions_BODY: { Count: {} },
      CrossSiteScripting_BODY: { Count: {} },
      GenericLFI_BODY: { Count: {} },
    });
  });

  test('HostingProviderIPList counts (cloud-hosted callers pass); the other anonymous-IP rules block', () => {
    expect(overrides(webAcl(stage).Rules, 'AWSManagedRulesAnonymousIpList')).toEqual({
      HostingProviderIPList: { Count: {} },
    });
    expect(rule(webAcl(stage).Rules, 'AWSManagedRulesAnonymousIpList').OverrideAction).toEqual({
      None: {},
    });
  });

  test('outside /api/, the counted body rules still block (by their labels)', () => {
    const outside = rule(webAcl(stage).Rules, 'CountedBodyRulesOutsideApi');
    const common = rule(webAcl(stage).Rules, 'AWSManagedRulesCommonRuleSet');
    expect(outside.Priority).toBeGreaterThan(common.Priority);
    expect(outside.Action).toEqual({ Block: {} });
    const [labels, notApi] = outside.Statement.AndStatement.Statements;
    expect(
      labels.OrStatement.Statements.map(
        (s: { LabelMatchStatement: { Key: string } }) => s.LabelMatchStatement.Key,
      ),
    ).toEqual([
      'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body',
      'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body',
      'awswaf:managed:aws:core-rule-set:GenericLFI_Body',
    ]);
    expect(notApi.NotStatement.Statement.ByteMatchStatement).toMatchObject({
      SearchString: '/api/',
      PositionalConstraint: 'STARTS_WITH',
      FieldToMatch: { UriPath: {} },
    });
  });

  test('a declared body over BODY_LIMIT_BYTES is a 413 in the app’s error shape, first of all rules', () => {
    const acl = webAcl(stage);
    const limit = STAGE_CONFIGS[stage].api.bodyLimitBytes;
    const size = rule(acl.Rules, 'BodyOverAppLimit');
    expect(Math.min(...acl.Rules.map((r) => r.Priority))).toBe(size.Priority);
    const regex = new RegExp(size.Statement.RegexMatchStatement.RegexString);
    expect(size.Statement.RegexMatchStatement.FieldToMatch).toEqual({
      SingleHeader: { Name: 'content-length' },
    });
    expect(regex.test(String(limit))).toBe(false);
    expect(regex.test(String(limit + 1))).toBe(true);
    // An 8,000-character prompt (the old 8 KB managed limit) is nowhere near it.
    expect(regex.test('8001')).toBe(false);
    expect(size.Action).toEqual({
      Block: { CustomResponse: { ResponseCode: 413, CustomResponseBodyKey: 'PayloadTooLarge' } },
    });
    const body = acl.CustomResponseBodies.PayloadTooLarge;
    expect(body?.ContentType).toBe('APPLICATION_JSON');
    const parsed = JSON.parse(body?.Content ?? '{}');
    expect(parsed.error.code).toBe(ERROR_CODES.PAYLOAD_TOO_LARGE);
    expect(PAYLOAD_TOO_LARGE).toBe(ERROR_CODES.PAYLOAD_TOO_LARGE);
    expect(parsed.error.details).toEqual({ maxBytes: limit });
    // The app enforces the same number.
    const api = template(stageApp(stage).stacks.api).findResources('AWS::Lambda::Function');
    const env = Object.values(api)[0]?.Properties.Environment.Variables;
    expect(env.BODY_LIMIT_BYTES).toBe(String(limit));
  });

  test('body inspection is set deliberately: CloudFront’s 16 KB (no extra charge)', () => {
    expect(webAcl(stage).AssociationConfig).toEqual({
      RequestBody: { CLOUDFRONT: { DefaultSizeInspectionLimit: 'KB_16' } },
    });
  });
});
