import express from 'express';

/**
 * The cold-start baseline: the least an express service does to answer, started the way a
 * handler is (`node <file>` with PORT and HOST), answering every POST / with 202.
 */
const app = express();
app.post('/', (_req, res) => {
  res.status(202).end();
});
app.listen(Number(process.env.PORT), process.env.HOST ?? '0.0.0.0');
