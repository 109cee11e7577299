-- Launch prices, in credits per 1M tokens (1 credit = 1 US cent, so these are the providers'
-- list prices in USD per 1M tokens times 100). Cache writes of OpenAI models cost the input price;
-- a NULL reasoning price bills reasoning tokens at the output price.
INSERT INTO model_pricing (model, input_credits_per_million, cached_input_credits_per_million,
                           cache_write_credits_per_million, output_credits_per_million,
                           reasoning_credits_per_million, effective_from)
VALUES ('gpt-4o-mini',       15.000,   7.500,  15.000,   60.000, NULL, '2025-01-01T00:00:00Z'),
       ('gpt-4o',           250.000, 125.000, 250.000, 1000.000, NULL, '2025-01-01T00:00:00Z'),
       ('gpt-4.1-mini',      40.000,  10.000,  40.000,  160.000, NULL, '2025-01-01T00:00:00Z'),
       ('o4-mini',          110.000,  27.500, 110.000,  440.000, NULL, '2025-01-01T00:00:00Z'),
       ('claude-3-5-haiku',  80.000,   8.000, 100.000,  400.000, NULL, '2025-01-01T00:00:00Z'),
       ('claude-sonnet-4',  300.000,  30.000, 375.000, 1500.000, NULL, '2025-01-01T00:00:00Z');
