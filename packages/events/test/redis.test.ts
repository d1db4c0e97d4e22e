// Issue 27 on a real redis: see support/broker-suite.ts for what each test proves.
import { describeBroker } from "./support/broker-suite.js";

describeBroker("redis", { chaosMessages: 2000 });
