;; The marker scan of lib/transcripts/fileBytes.ts: where in a chunk of transcript bytes the byte strings
;; `"usage"` and `"api_error"` occur, found in one pass 16 bytes at a time (WebAssembly SIMD).
;; Buffer.indexOf takes one pass per string, at about a third of the speed; this is most of what a
;; bulk import spends finding lines (see scripts/build-wasm.mjs, which compiles this file).
;;
;; A block's candidates are the positions p where byte p+1 is 'u' and p+4 is 'g' (`"usage"`), or
;; p+4 is '_' and p+7 is 'r' (`"api_error"`): rare pairs in prose and code, so few are checked in full.
(module
  (memory (export "memory") 1)
  ;; scan(start, end, out, cap) -> count
  ;; Writes the address of every match lying wholly within [start, end) to out (an i32 each), in
  ;; increasing order, stopping after cap. Loads reach up to 32 bytes past end: the caller's memory
  ;; must extend that far (what is there does not matter).
  (func (export "scan") (param $start i32) (param $end i32) (param $out i32) (param $cap i32) (result i32)
    (local $i i32) (local $n i32) (local $bits i32) (local $p i32) (local $m v128)
    (local.set $i (local.get $start))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $m
          (v128.or
            (v128.and
              (i8x16.eq (v128.load offset=1 align=1 (local.get $i)) (i8x16.splat (i32.const 0x75)))
              (i8x16.eq (v128.load offset=4 align=1 (local.get $i)) (i8x16.splat (i32.const 0x67))))
            (v128.and
              (i8x16.eq (v128.load offset=4 align=1 (local.get $i)) (i8x16.splat (i32.const 0x5f)))
              (i8x16.eq (v128.load offset=7 align=1 (local.get $i)) (i8x16.splat (i32.const 0x72))))))
        (if (v128.any_true (local.get $m))
          (then
            (local.set $bits (i8x16.bitmask (local.get $m)))
            (loop $candidates
              (local.set $p (i32.add (local.get $i) (i32.ctz (local.get $bits))))
              (if
                (i32.or
                  ;; `"usage"`: 22 75 73 61 67 65 22
                  (i32.and
                    (i32.le_u (i32.add (local.get $p) (i32.const 7)) (local.get $end))
                    (i64.eq
                      (i64.and (i64.load align=1 (local.get $p)) (i64.const 0x00ffffffffffffff))
                      (i64.const 0x0022656761737522)))
                  ;; `"api_error"`: 22 61 70 69 5f 65 72 72 | 6f 72 22
                  (i32.and
                    (i32.le_u (i32.add (local.get $p) (i32.const 11)) (local.get $end))
                    (i32.and
                      (i64.eq (i64.load align=1 (local.get $p)) (i64.const 0x7272655f69706122))
                      (i32.eq
                        (i32.and (i32.load offset=8 align=1 (local.get $p)) (i32.const 0x00ffffff))
                        (i32.const 0x0022726f)))))
                (then
                  (i32.store (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))) (local.get $p))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))
                  (if (i32.ge_u (local.get $n) (local.get $cap)) (then (return (local.get $n))))))
              (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
              (br_if $candidates (local.get $bits)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    (local.get $n))
)
