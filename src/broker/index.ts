export { startBroker, type BrokerOptions, type RunningBroker } from './broker.js';
export { fetchKafkaJars, kafkaHome, KAFKA_VERSION, type FetchOptions } from './kafka-jars.js';
