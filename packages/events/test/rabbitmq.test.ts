// Issue 27 on a real rabbitmq: see support/broker-suite.ts for what each test proves.
import { describeBroker } from "./support/broker-suite.js";

describeBroker("rabbitmq", { chaosMessages: 2000 });
