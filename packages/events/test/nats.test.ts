// Issue 27 on a real nats: see support/broker-suite.ts for what each test proves.
import { describeBroker } from "./support/broker-suite.js";

describeBroker("nats", { chaosMessages: 2000 });
