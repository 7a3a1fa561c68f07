/** Pub/Sub: subscriptions per connection, client methods, and the misuse guard. */
export { PubSub, pubsubFor, existingPubSub, nameList, type PubSubHooks, type PubSubHost } from './pubsub.js';
export { Subscriber, type Sink, type Dropped, type SubscriberOptions } from './subscriber.js';
export { Subscription, DEFAULT_BUFFER_SIZE } from './subscription.js';
export { installPubSub, type PubSubCommands } from './methods.js';
export { isSubscribeCommand, pubSubMisuse } from './guard.js';
export type {
  MessageListener,
  PatternListener,
  PubSubKind,
  PubSubMessage,
  PubSubName,
  SubscribeOptions,
} from './types.js';
