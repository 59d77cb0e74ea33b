/** mulberry32 (the benchmarks' generator): a seeded generator in [0, 1), so that a generated case that fails can be run again by its seed. */
export { seededRandom as random } from '../bench/activity-file.js';
