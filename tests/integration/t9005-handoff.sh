#!/bin/sh
# update --hand-off / --take-back: a task trained by PyTorch DistributedDataParallel under torchrun
# (2 processes, gloo, CPU) on a tiny model, taken back as a version; 2 processes give the weights
# 1 process gives with the same global batch; tampered results are refused and nothing is stored.
. "$CLM_TOP/tests/integration/lib.sh"

py=/usr/bin/python3
# exit 0 when two safetensors files hold the same tensors byte for byte (no torch: read as stored)
same_tensors() {
	$py - "$1" "$2" <<'PY'
import json, struct, sys
def tensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    head = json.loads(data[8:8 + n])
    head.pop("__metadata__", None)
    return {k: (v["dtype"], v["shape"], data[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]])
            for k, v in head.items()}
a, b = tensors(sys.argv[1]), tensors(sys.argv[2])
assert sorted(a) == sorted(b), (sorted(a), sorted(b))
bad = [k for k in a if a[k] != b[k]]
assert not bad, bad
PY
}
# nothing recorded: the head, the candidates and the notes are as they were
unchanged() {
	test "$(git for-each-ref refs/clmodel refs/notes | md5sum)" = "$refs"
}

sh "$CLM_TOP/fixtures/python-repo.sh" repo >/dev/null 2>&1
cd repo
clm pretrain --corpus HEAD --config tiny --steps 5 --vocab 300 --out ../base -q >/dev/null 2>&1
clm init --base ../base -q >/dev/null
refs=$(git for-each-ref refs/clmodel refs/notes | md5sum)

t_grep "a strategy the trainer lacks is refused by name" "pp-tf\+replay, which train_ddp.py does not implement" \
	clm update -q --hand-off ../nothing
t_exit 1 "and nothing is written" test -e ../nothing
t_grep "hand-off writes the job" "handed off" clm update -q --strategy replay --steps 12 --batch-size 4 --hand-off ../job
t_ok "the hand-off recorded nothing" unchanged
t_ok "job: base as a Hugging Face directory, examples, hyper-parameters, script" \
	test -s ../job/base/config.json -a -s ../job/base/tokenizer.json -a -s ../job/base/model.safetensors -a \
	-s ../job/train.jsonl -a -s ../job/strategy.json -a -s ../job/train_ddp.py
t_ok "job.json names the version, the task and an id; train.jsonl has its token ids" $py -c '
import json, sys
job = json.load(open("../job/job.json"))
assert job["format"] == "git-clmodel-handoff" and len(job["id"]) == 16, job
assert job["head"] == sys.argv[1] and job["strategy"] == "replay", job
lines = [json.loads(l) for l in open("../job/train.jsonl")]
assert len(lines) == job["examples"] > 0
assert all(l["task"] == job["task"] and not l["replay"] and l["source_ids"] and l["target_ids"] for l in lines)
hyper = json.load(open("../job/strategy.json"))
assert hyper["steps"] == 12 and hyper["batch_size"] == 4 and len(hyper["lr"]) == 12' "$(git rev-parse refs/clmodel/models/default)"
t_grep "a hand-off goes into an empty folder" "not empty" clm update -q --strategy replay --hand-off ../job
cp -r ../job ../job1

# The round trip: torchrun with 2 processes. Debian 12's torchrun needs --redirects/--tee given
# (see train_ddp.py); the reference is the same job in 1 process.
start=$(date +%s)
t_ok "torchrun --nproc_per_node=2 trains the job (gloo, CPU)" sh -c "torchrun --nproc_per_node=2 --redirects 1 --tee 1 \
	--log_dir ../torchrun-logs --monitor_interval 0.2 --master_addr 127.0.0.1 --master_port $((20000 + $$ % 20000)) \
	../job/train_ddp.py ../job >../torchrun.out 2>&1"
mid=$(date +%s)
t_ok "one process trains the same job" sh -c "$py ../job1/train_ddp.py ../job1 >../single.out 2>&1"
echo "# torchrun 2 processes: $((mid - start)) s, 1 process: $(($(date +%s) - mid)) s (load: $(cut -d' ' -f1 /proc/loadavg))"
t_ok "the result says 2 processes trained it" $py -c '
import json; r = json.load(open("../job/result/handoff.json")); assert r["world_size"] == 2 and r["backend"] == "gloo", r'
# One python for the measurements and the tampered copies (importing torch takes seconds here).
$py - "$CLM_TOP/share/git-clmodel" >../measure.out 2>&1 <<'PY'
import json, shutil, sys
sys.path.insert(0, sys.argv[1])
from train_ddp import read_safetensors, write_safetensors
base, two, one = (read_safetensors(f"../{d}/model.safetensors") for d in ("job/base", "job/result", "job1/result"))
print("moved=%.3g" % max(float((two[n] - base[n]).abs().max()) for n in base))
print("ddp=%.3g" % max(float((two[n] - one[n]).abs().max()) for n in base))
for how in ("shape", "nan", "missing", "extra", "id", "noresult"):
    shutil.copytree("../job", f"../bad-{how}")
    w = dict(two)
    if how == "shape":
        w["wpe.weight"] = w["wpe.weight"][:-1]
    elif how == "nan":
        w["h.0.mlp.c_fc.weight"] = w["h.0.mlp.c_fc.weight"].clone()
        w["h.0.mlp.c_fc.weight"][0, 0] = float("nan")
    elif how == "missing":
        del w["ln_f.bias"]
    elif how == "extra":
        w["lm_head.weight"] = w["wte.weight"].clone()
    elif how == "id":
        r = json.load(open("../bad-id/result/handoff.json"))
        r["id"] = "0123456789abcdef"
        json.dump(r, open("../bad-id/result/handoff.json", "w"))
    elif how == "noresult":
        shutil.rmtree("../bad-noresult/result")
        continue
    write_safetensors(f"../bad-{how}/result/model.safetensors", w, {})
PY
moved=$(sed -n 's/^moved=//p' ../measure.out)
ddp=$(sed -n 's/^ddp=//p' ../measure.out)
echo "# weights moved by training: max |delta| $moved; 2 processes vs 1: max |delta| $ddp"
t_ok "training moved the weights" $py -c "assert $moved > 1e-3"
t_ok "2-process DDP gives the 1-process weights (within 1e-4, 100x below the training's change)" \
	$py -c "assert $ddp <= 1e-4 and $ddp * 100 <= $moved"

# Tampered results are refused with a message; nothing is recorded.
t_grep "a tensor of another shape is refused" "wpe.weight has shape" clm update -q --take-back ../bad-shape
t_ok "and nothing is recorded" unchanged
t_grep "a NaN is refused" "h.0.mlp.c_fc.weight.*(NaN|nan|finite)" clm update -q --take-back ../bad-nan
t_ok "and nothing is recorded" unchanged
t_grep "a missing tensor is refused" "ln_f.bias of the base is missing" clm update -q --take-back ../bad-missing
t_grep "a tensor the base lacks is refused" "lm_head.weight is not in the base" clm update -q --take-back ../bad-extra
t_grep "a result of another hand-off is refused" "belongs to hand-off 0123456789abcdef, not to this one" \
	clm update -q --take-back ../bad-id
t_grep "a folder without a result is refused" "no result to take back" clm update -q --take-back ../bad-noresult
t_ok "and nothing is recorded" unchanged

# The real result: evaluated and gated as a local update, recorded with who trained it.
t_ok "take-back records the version" sh -c '"$CLM_BIN" update --take-back ../job > ../take.out'
cat ../take.out | sed 's/^/# /'
t_grep "the gate ran: score, average and forgetting" "(promoted|candidate) [0-9a-f]{12}  score=[0-9.]+ avg=[0-9.]+ forgetting=" cat ../take.out
version=$(git rev-parse refs/clmodel/models/default)
test -n "$(git for-each-ref refs/clmodel/candidates)" && version=$(git for-each-ref --format='%(objectname)' refs/clmodel/candidates | head -1)
t_grep "the version names who trained it" "^Clmodel-Trainer: train_ddp.py on .*: 2 processes \(gloo, cpu\)" \
	git log -1 --format=%B "$version"
t_ok "the version's matrix scores the task" sh -c "git show $version:eval/matrix.json | $py -c '
import json, sys
m = json.load(sys.stdin)
assert m[\"tasks\"][-1] == json.load(open(\"../job/job.json\"))[\"task\"] and m[\"R\"][-1][-1] >= 0, m'"
t_grep "the note names the trainer" '"trainer":"train_ddp.py on ' \
	git notes --ref=clmodel show "$($py -c 'import json; print(json.load(open("../job/job.json"))["source"])')"
t_ok "export the version" clm export --format hf --out ../version "$version"
t_ok "the version's weights are exactly what the script wrote" same_tensors ../version/model.safetensors ../job/result/model.safetensors
t_grep "taking the same result back again is refused" "started from version .* but the model is at" \
	clm update -q --take-back ../job1

# The trainer's models are the architectures: GPT-2 and every Llama-family case against the
# independent float64 references of tests/nn.
t_ok "train_ddp.py's GPT-2, Llama, Qwen2 and StarCoder2 give the reference logits (1e-4)" \
	sh -c "$py '$CLM_TOP/tests/nn/trainer_parity.py' > ../parity.out"
sed 's/^/# /' ../parity.out

# LoRA on a Llama-family base (Qwen2, random): the task's adapter starts as the engine starts it,
# trains on the frozen backbone, and comes back as that version's adapter.
$py "$CLM_TOP/tests/nn/llama_ref.py" model ../qwen qwen2_bf16 300 && cp ../base/tokenizer.json ../qwen/
clm init --name qwen --base ../qwen -q >/dev/null
t_grep "lora: hand-off writes the initial adapter as PEFT" "handed off" \
	clm update --name qwen -q --strategy lora --steps 6 --batch-size 4 --hand-off ../ljob
t_ok "lora: the job has adapter_init/ and trains no base tensor" $py -c '
import json; h = json.load(open("../ljob/strategy.json"))
assert h["weights"] == "lora" and h["train"] == [] and h["adapter"] == "adapter_init", h
c = json.load(open("../ljob/adapter_init/adapter_config.json")); assert c["peft_type"] == "LORA", c'
t_ok "lora: the trainer trains it (one process, its --nproc launcher not needed)" \
	sh -c "$py ../ljob/train_ddp.py ../ljob > ../ljob.out 2>&1"
t_ok "lora: the result is a PEFT directory" test -s ../ljob/result/adapter_config.json -a -s ../ljob/result/adapter_model.safetensors
cp -r ../ljob ../ljob-bad
sed -i 's/"r": [0-9]*/"r": 3/' ../ljob-bad/result/adapter_config.json
t_grep "lora: a result with another rank is refused" "r and lora_alpha must stay" clm update --name qwen -q --take-back ../ljob-bad
t_ok "lora: take-back records the version" clm update --name qwen -q --take-back ../ljob
t_ok "lora: export --format peft" clm export --name qwen --format peft --out ../lpeft
t_ok "lora: the version's adapter is exactly what the script wrote" \
	same_tensors ../lpeft/adapter_model.safetensors ../ljob/result/adapter_model.safetensors
t_exit 1 "lora: ... which training changed from the initial one" \
	same_tensors ../lpeft/adapter_model.safetensors ../ljob/adapter_init/adapter_model.safetensors

t_done
