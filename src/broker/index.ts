export { startBroker, type Broker, type BrokerOptions, type BoundListener } from './broker.js';
