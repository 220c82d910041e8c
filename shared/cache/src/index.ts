export { Cache, createRedis, redisScript, type RedisClient, type RedisScript } from './cache';
