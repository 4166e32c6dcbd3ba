/**
 * The service's only use of non-public Camel API, measured to be needed and failing at start when an upgrade
 * changes what it relies on: {@link voipgateway.internals.AsyncHttpEngine} (a request holds no thread while its
 * route waits for its provider). docs/architecture.md says what Camel would need to offer for it to go.
 */
package voipgateway.internals;
