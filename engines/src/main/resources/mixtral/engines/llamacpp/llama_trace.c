/*
 * Runs one forward pass of llama.cpp on token ids and dumps the graph tensors asked for by name, for the Java
 * adapter (mixtral.engines.llamacpp) to read. Linked against the prebuilt libraries of node-llama-cpp 3.22.1
 * (llama.cpp v0.5.0); the declarations below are our own, written from the facts of that release's public headers
 * (include/llama.h, ggml/include/ggml.h, ggml-backend.h). A struct passed by value must match the library's layout
 * field for field; LlamaCppFaithfulnessTest would catch a wrong one (a misplaced callback dumps nothing, and every
 * tensor it requires goes missing).
 *
 * usage: llama_trace LIBDIR MODEL.gguf OUT.bin THREADS IDS NAME...
 *        llama_trace tokenize LIBDIR MODEL.gguf TEXT      (prints llama.cpp's token ids of TEXT, BOS first)
 *   IDS    token ids, comma separated
 *   NAME   graph tensor names to dump (e.g. ffn_moe_topk-0); the first tensor of each exact name is kept
 * OUT.bin: "MXTD", u32 version 1, then per tensor: u32 name length, name, u32 kind (0 f32, 1 i32), i64 ne[4]
 * (ggml order, fastest first), the values contiguous in that order. Then "logits": llama_get_logits_ith of every
 * token, ne = {n_vocab, n_tokens, 1, 1}. Everything little-endian (the host's order on x86-64).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ggml_tensor_head {          /* the leading fields of struct ggml_tensor */
    int32_t type;                  /* enum ggml_type */
    void *buffer;
    int64_t ne[4];
    size_t nb[4];
};

struct llama_model_params {
    void *devices;
    const void *tensor_buft_overrides;
    int32_t n_gpu_layers;
    int32_t split_mode;
    int32_t load_mode;
    int32_t lazy_mode;
    int32_t main_gpu;
    const float *tensor_split;
    void *progress_callback;
    void *progress_callback_user_data;
    const void *kv_overrides;
    bool vocab_only, check_tensors, use_extra_bufts, no_host, no_alloc, load_mtp;
};

typedef bool (*eval_callback)(struct ggml_tensor_head *t, bool ask, void *user_data);

struct llama_context_params {
    uint32_t n_ctx, n_batch, n_ubatch, n_seq_max, n_rs_seq, n_outputs_max, n_outputs_max_per_seq;
    int32_t n_threads, n_threads_batch;
    int32_t ctx_type, rope_scaling_type, pooling_type, attention_type, flash_attn_type;
    float rope_freq_base, rope_freq_scale, yarn_ext_factor, yarn_attn_factor, yarn_beta_fast, yarn_beta_slow;
    uint32_t yarn_orig_ctx;
    float defrag_thold;
    eval_callback cb_eval;
    void *cb_eval_user_data;
    int32_t type_k, type_v;
    void *abort_callback;
    void *abort_callback_data;
    bool embeddings, offload_kqv, no_perf, op_offload, swa_full, kv_unified;
    void *samplers;
    size_t n_samplers;
    void *ctx_other;
};

struct llama_batch {
    int32_t n_tokens;
    int32_t *token;
    float *embd;
    int32_t *pos;
    int32_t *n_seq_id;
    int32_t **seq_id;
    int8_t *logits;
};

enum { GGML_TYPE_F32 = 0, GGML_TYPE_I32 = 26, FLASH_ATTN_DISABLED = 0 };

void llama_backend_init(void);
void ggml_backend_load_all_from_path(const char *dir);
void llama_log_set(void (*cb)(int level, const char *text, void *user), void *user);
struct llama_model_params llama_model_default_params(void);
struct llama_context_params llama_context_default_params(void);
void *llama_model_load_from_file(const char *path, struct llama_model_params params);
void *llama_init_from_model(void *model, struct llama_context_params params);
const void *llama_model_get_vocab(const void *model);
int32_t llama_vocab_n_tokens(const void *vocab);
struct llama_batch llama_batch_init(int32_t n_tokens, int32_t embd, int32_t n_seq_max);
void llama_batch_free(struct llama_batch batch);
int32_t llama_decode(void *ctx, struct llama_batch batch);
float *llama_get_logits_ith(void *ctx, int32_t i);
int32_t llama_tokenize(const void *vocab, const char *text, int32_t text_len, int32_t *tokens, int32_t n_tokens_max,
                       bool add_special, bool parse_special);
void llama_free(void *ctx);
void llama_model_free(void *model);
const char *ggml_get_name(const struct ggml_tensor_head *t);
size_t ggml_nbytes(const struct ggml_tensor_head *t);
void ggml_backend_tensor_get(const struct ggml_tensor_head *t, void *data, size_t offset, size_t size);

struct wanted {
    int n;
    char **names;
    bool *done;
    FILE *out;
    int failed;
};

static void quiet(int level, const char *text, void *user) {
    (void) user;
    if (level >= 4 || getenv("LLAMA_TRACE_VERBOSE")) { /* GGML_LOG_LEVEL_ERROR = 4 */
        fputs(text, stderr);
    }
}

static int find(struct wanted *w, const char *name) {
    for (int i = 0; i < w->n; i++) {
        if (!w->done[i] && strcmp(w->names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

static void put_record(FILE *out, const char *name, uint32_t kind, const int64_t ne[4], const void *data, size_t bytes) {
    uint32_t len = (uint32_t) strlen(name);
    fwrite(&len, 4, 1, out);
    fwrite(name, 1, len, out);
    fwrite(&kind, 4, 1, out);
    fwrite(ne, 8, 4, out);
    fwrite(data, 1, bytes, out);
}

/* Copies a possibly strided tensor (a view such as ffn_moe_topk) into contiguous ggml order. */
static bool on_tensor(struct ggml_tensor_head *t, bool ask, void *user_data) {
    struct wanted *w = user_data;
    int i = find(w, ggml_get_name(t));
    if (ask) {
        return i >= 0;
    }
    if (i < 0) {
        return true;
    }
    if (t->type != GGML_TYPE_F32 && t->type != GGML_TYPE_I32) {
        fprintf(stderr, "llama_trace: %s has ggml type %d, not f32 or i32\n", w->names[i], t->type);
        w->failed = 1;
        return false;
    }
    size_t span = ggml_nbytes(t);
    char *raw = malloc(span);
    ggml_backend_tensor_get(t, raw, 0, span);
    int64_t n = t->ne[0] * t->ne[1] * t->ne[2] * t->ne[3];
    char *dense = malloc((size_t) n * 4);
    int64_t k = 0;
    for (int64_t i3 = 0; i3 < t->ne[3]; i3++)
        for (int64_t i2 = 0; i2 < t->ne[2]; i2++)
            for (int64_t i1 = 0; i1 < t->ne[1]; i1++)
                for (int64_t i0 = 0; i0 < t->ne[0]; i0++, k++)
                    memcpy(dense + k * 4, raw + i0 * t->nb[0] + i1 * t->nb[1] + i2 * t->nb[2] + i3 * t->nb[3], 4);
    put_record(w->out, w->names[i], t->type == GGML_TYPE_I32 ? 1 : 0, t->ne, dense, (size_t) n * 4);
    free(raw);
    free(dense);
    w->done[i] = true;
    return true;
}

/* The vocabulary of the GGUF file, read as llama.cpp reads it, tokenizing TEXT. */
static int tokenize(const char *libdir, const char *path, const char *text) {
    llama_log_set(quiet, NULL);
    ggml_backend_load_all_from_path(libdir);
    struct llama_model_params mp = llama_model_default_params();
    mp.vocab_only = true;
    void *model = llama_model_load_from_file(path, mp);
    if (!model) {
        fprintf(stderr, "llama_trace: llama.cpp could not load %s\n", path);
        return 1;
    }
    int32_t len = (int32_t) strlen(text);
    int32_t *ids = malloc(sizeof(int32_t) * (size_t) (len + 2));
    int32_t n = llama_tokenize(llama_model_get_vocab(model), text, len, ids, len + 2, true, false);
    for (int32_t i = 0; i < n; i++) {
        printf("%d%s", ids[i], i + 1 < n ? "," : "\n");
    }
    llama_model_free(model);
    return n < 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "tokenize") == 0) {
        return tokenize(argv[2], argv[3], argv[4]);
    }
    if (argc < 6) {
        fprintf(stderr, "usage: llama_trace LIBDIR MODEL.gguf OUT.bin THREADS IDS NAME...\n");
        return 2;
    }
    int n_tokens = 1;
    for (const char *c = argv[5]; *c; c++) {
        n_tokens += *c == ',';
    }
    int32_t *ids = malloc(sizeof(int32_t) * n_tokens);
    char *rest = argv[5];
    for (int i = 0; i < n_tokens; i++) {
        ids[i] = (int32_t) strtol(rest, &rest, 10);
        rest += *rest == ',';
    }
    struct wanted w = {argc - 6, argv + 6, calloc(argc, sizeof(bool)), fopen(argv[3], "wb"), 0};
    if (!w.out) {
        fprintf(stderr, "llama_trace: cannot write %s\n", argv[3]);
        return 1;
    }
    fwrite("MXTD", 1, 4, w.out);
    uint32_t version = 1;
    fwrite(&version, 4, 1, w.out);

    llama_log_set(quiet, NULL);
    ggml_backend_load_all_from_path(argv[1]);
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    void *model = llama_model_load_from_file(argv[2], mp);
    if (!model) {
        fprintf(stderr, "llama_trace: llama.cpp could not load %s\n", argv[2]);
        return 1;
    }
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = cp.n_batch = cp.n_ubatch = (uint32_t) n_tokens;   /* one micro-batch: each tensor holds every token */
    cp.n_seq_max = 1;
    cp.n_threads = cp.n_threads_batch = atoi(argv[4]);
    cp.flash_attn_type = FLASH_ATTN_DISABLED;                   /* float32 parity, and attention probabilities */
    cp.type_k = cp.type_v = GGML_TYPE_F32;                      /* the default F16 cache rounds keys and values */
    cp.cb_eval = on_tensor;
    cp.cb_eval_user_data = &w;
    void *ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        fprintf(stderr, "llama_trace: llama.cpp could not create a context\n");
        return 1;
    }
    struct llama_batch batch = llama_batch_init(n_tokens, 0, 1);
    batch.n_tokens = n_tokens;
    for (int i = 0; i < n_tokens; i++) {
        batch.token[i] = ids[i];
        batch.pos[i] = i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = 1;                                    /* outputs for every token, or the last layer is cut */
    }
    int rc = llama_decode(ctx, batch);
    if (rc != 0 || w.failed) {
        fprintf(stderr, "llama_trace: llama_decode returned %d\n", rc);
        return 1;
    }
    int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    int64_t ne[4] = {n_vocab, n_tokens, 1, 1};
    float *logits = malloc(sizeof(float) * (size_t) n_vocab * n_tokens);
    for (int i = 0; i < n_tokens; i++) {
        memcpy(logits + (size_t) i * n_vocab, llama_get_logits_ith(ctx, i), sizeof(float) * n_vocab);
    }
    put_record(w.out, "logits", 0, ne, logits, sizeof(float) * (size_t) n_vocab * n_tokens);
    for (int i = 0; i < w.n; i++) {
        if (!w.done[i]) {
            fprintf(stderr, "llama_trace: no graph tensor named %s\n", w.names[i]);
        }
    }
    if (fclose(w.out) != 0) {
        return 1;
    }
    llama_batch_free(batch);
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
