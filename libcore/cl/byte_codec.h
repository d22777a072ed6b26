/* The simplest text codec: one token per byte (ids 0..255), then the separator (256) and the end
 * of a target (257). Used by tests and by benchmarks on a randomly initialised model. */
#ifndef CLM_CL_BYTE_CODEC_H
#define CLM_CL_BYTE_CODEC_H

#include "cl/trainer.h"

#define CLM_BYTE_CODEC_VOCAB 258

/* Fill `c` with the byte codec (no context; source/target caps left at 0 = none). */
void clm_byte_codec(struct clm_text_codec *c);

#endif
