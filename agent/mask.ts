export { maskCode } from '../drivers/mask.js';
