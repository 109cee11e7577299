-- What a compensation must apply, beyond its amount: for a deferred settle, the model and the
-- normalized usage of the call, so that the batch job can record the usage row it could not
-- record in line.
ALTER TABLE credit_compensation ADD COLUMN details jsonb;
