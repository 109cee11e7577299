package dev.tollgate.chat;

/** Where the chunks of a call go as they are read: a streaming client, or the assembler of a whole answer. */
interface ChunkSink {

    /** Takes one chunk (the JSON of a {@code chat.completion.chunk}); false when it wants no more. */
    boolean accept(String chunk);
}
