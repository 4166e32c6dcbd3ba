/**
 * The service's only uses of non-public Camel and Vert.x API, each measured to be needed and each failing at start
 * or in a test when an upgrade changes what it relies on: {@link voipgateway.internals.AsyncHttpEngine} (a
 * request holds no thread while its route waits), {@link voipgateway.internals.HttpServerVertx} (JSON 414/431
 * answers, 503 until started) and {@link voipgateway.internals.OnDemandWorkers} (a worker pool that grows as the
 * load needs). docs/architecture.md says what Camel or Vert.x would need to offer for each to go.
 */
package voipgateway.internals;
