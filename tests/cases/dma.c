// SPDX-License-Identifier: GPL-2.0
/*
 * check-name: maps a DMA buffer
 * check-category: dma-mmap
 * check-refused: mainline dma_mmap_coherent() maps a DMA buffer into the VMA
 * check-refused: rfc dma_mmap_coherent() maps a DMA buffer into the VMA
 */
#include <linux/fs.h>
#include <linux/dma-mapping.h>

struct dbuf { struct device *dev; void *cpu; dma_addr_t handle; size_t size; };

static int d_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct dbuf *b = file->private_data;

	return dma_mmap_coherent(b->dev, vma, b->cpu, b->handle, b->size);
}

static const struct file_operations d_fops = {
	.mmap = d_mmap,
};
