import { Duration } from 'aws-cdk-lib';
import { CnameRecord, type IHostedZone } from 'aws-cdk-lib/aws-route53';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface SesSenderProps {
  /** The domain mail is sent from (`no-reply@<domain>`); inside `zone`. */
  readonly domain: string;
  /** The hosted zone that receives the DKIM records. */
  readonly zone: IHostedZone;
  /** The configuration set's name (derive it from the stage). */
  readonly configurationSetName: string;
}

/**
 * An SES domain identity with Easy DKIM (its three CNAME records in the hosted zone), sending
 * through a configuration set that requires TLS, keeps bounce and complaint reputation
 * metrics, and suppresses addresses that bounce or complain. Verification is automatic once
 * DNS resolves; leaving the SES sandbox is a request to AWS (docs/deploying.md).
 */
export class SesSender extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;

  constructor(scope: Construct, id: string, props: SesSenderProps) {
    super(scope, id);
    const zoneName = props.zone.zoneName.replace(/\.$/, '');
    if (props.domain !== zoneName && !props.domain.endsWith(`.${zoneName}`)) {
      throw new Error(`${props.domain} is not inside the hosted zone ${zoneName}`);
    }
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(props.domain),
      configurationSet: this.configurationSet,
    });
    this.identity.dkimRecords.forEach((record, index) => {
      new CnameRecord(this, `Dkim${index + 1}`, {
        zone: props.zone,
        recordName: record.name,
        domainName: record.value,
        ttl: Duration.hours(1),
      });
    });
  }
}
