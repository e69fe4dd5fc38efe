// Shared by the lookup-table assembly of nn (lutgrad_amd64.s and
// lutweights_amd64.s, each included after textflag.h).

// LOAD8 and STORE8 move the eight accumulators Y0..Y7 from and to the 256
// bytes at base: one column block of 64 floats, or 64 output channels.
#define LOAD8(base) \
	VMOVUPS 0(base), Y0; \
	VMOVUPS 32(base), Y1; \
	VMOVUPS 64(base), Y2; \
	VMOVUPS 96(base), Y3; \
	VMOVUPS 128(base), Y4; \
	VMOVUPS 160(base), Y5; \
	VMOVUPS 192(base), Y6; \
	VMOVUPS 224(base), Y7

#define STORE8(base) \
	VMOVUPS Y0, 0(base); \
	VMOVUPS Y1, 32(base); \
	VMOVUPS Y2, 64(base); \
	VMOVUPS Y3, 96(base); \
	VMOVUPS Y4, 128(base); \
	VMOVUPS Y5, 160(base); \
	VMOVUPS Y6, 192(base); \
	VMOVUPS Y7, 224(base)
