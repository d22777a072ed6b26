/* Keyword lists CodeBLEU weights in its weighted n-gram match (those of the reference). */
#ifndef CLM_EVAL_CODEBLEU_KEYWORDS_H
#define CLM_EVAL_CODEBLEU_KEYWORDS_H

/* The NULL-terminated keyword list of "java", "c_sharp" or "python"; NULL for others. */
const char *const *clm_codebleu_keywords(const char *lang);

#endif
