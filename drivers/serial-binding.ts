/**
 * serialport's parts, loaded when a serial device is first built: the platform's binding (Linux:
 * the native addon; what the `serialport` package's `SerialPort.binding` is) and the stream class.
 * Taken from @serialport/bindings-cpp and @serialport/stream directly, and only then: the
 * `serialport` index also loads ten stream parsers and a mock, bindings-cpp loads every
 * platform's code, and both load `debug` — ~35 ms of CPU at a start that has no serial device
 * (a USB printer and an evdev keypad, or the simulator) for nothing.
 */
import { createRequire } from 'node:module';
import type * as BindingsCpp from '@serialport/bindings-cpp';
import type * as Stream from '@serialport/stream';

const require = createRequire(import.meta.url);
let detected: BindingsCpp.AutoDetectTypes | undefined;
let streamClass: typeof Stream.SerialPortStream | undefined;

/** Throws when the native addon cannot load (a broken install): the device cannot be built. */
export function platformBinding(): BindingsCpp.AutoDetectTypes {
  detected ??= (require('@serialport/bindings-cpp') as typeof BindingsCpp).autoDetect();
  return detected;
}

export function serialPortStream(): typeof Stream.SerialPortStream {
  streamClass ??= (require('@serialport/stream') as typeof Stream).SerialPortStream;
  return streamClass;
}
