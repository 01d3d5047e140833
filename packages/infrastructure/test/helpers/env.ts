/**
 * A function's environment from its template with tokens made concrete, as they are after
 * deployment: secret ARNs, a port, a queue URL, else a host name.
 */
export function concreteEnv(env: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? value
        : key.endsWith('_ARN')
          ? `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${key.toLowerCase()}-AbC123`
          : key.endsWith('_PORT')
            ? '6379'
            : key.endsWith('_URL')
              ? `https://sqs.eu-west-1.amazonaws.com/123456789012/${key.toLowerCase()}`
              : 'resolved.example.internal',
    ]),
  );
}
