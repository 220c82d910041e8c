export { Cache, createRedis, type RedisClient } from './cache';
