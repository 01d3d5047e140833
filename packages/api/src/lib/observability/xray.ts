/**
 * X-Ray through Powertools for AWS Lambda's Tracer. Loaded only by `createTracing` when
 * tracing is on (this module pulls in aws-xray-sdk-core). Outgoing HTTP calls (fetch, as
 * the model clients use; the AWS SDK's) are captured by the Tracer itself.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Subsegment } from 'aws-xray-sdk-core';
import type { Tracing, TracingOptions } from './tracing.types.ts';

export function createXrayTracing(options: TracingOptions): Tracing {
  // Outgoing HTTP is captured from the first invocation on: calls made at init (secrets)
  // have no segment to join, and the X-Ray SDK would log an error for each.
  const tracer = new Tracer({
    serviceName: options.serviceName,
    enabled: true,
    captureHTTPsRequests: false,
  });
  let httpCaptured = false;
  const captureHttp = () => {
    if (httpCaptured || !tracer.isTracingEnabled()) return;
    httpCaptured = true;
    tracer.provider.captureHTTPsGlobal();
    tracer.provider.instrumentFetch();
  };
  // Lambda runs one invocation at a time per container: its subsegment is the parent of all.
  let current: Subsegment | null = null;
  return {
    enabled: tracer.isTracingEnabled(),
    start(name, annotations, metadata) {
      if (!current) return null;
      const subsegment = current.addNewSubsegment(name);
      for (const [key, value] of Object.entries(annotations ?? {})) {
        subsegment.addAnnotation(key, value);
      }
      for (const [key, value] of Object.entries(metadata ?? {})) {
        subsegment.addMetadata(key, value);
      }
      return {
        end(error) {
          if (error instanceof Error) subsegment.addError(error);
          else if (error !== undefined) subsegment.addErrorFlag();
          subsegment.close();
        },
      };
    },
    annotate(key, value) {
      current?.addAnnotation(key, value);
    },
    async invocation(fn, coldStart) {
      let segment: ReturnType<Tracer['getSegment']>;
      let handler: Subsegment | null = null;
      try {
        captureHttp();
        segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
        if (segment) {
          handler = segment.addNewSubsegment('## handler');
          tracer.setSegment(handler);
          handler.addAnnotation('ColdStart', coldStart);
          handler.addAnnotation('Service', options.serviceName);
        }
      } catch {
        handler = null;
      }
      if (!handler || !segment) return fn();
      current = handler;
      try {
        return await fn();
      } catch (error) {
        if (error instanceof Error) handler.addError(error);
        throw error;
      } finally {
        current = null;
        try {
          handler.close();
          tracer.setSegment(segment);
        } catch {
          // The next invocation starts from the facade segment anyway.
        }
      }
    },
  };
}
