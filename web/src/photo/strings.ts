// The photo example's strings (web/src/photo), in every language of web/src/i18n: loaded with
// the example, not with the page or the <cnn-lens> element (its size budget).
import { LANG } from '../i18n';

const en = {
  photoTitle: 'Kernels on a photo',
  photoDescription: 'A 256×256 colour photo through one 3×3 convolution with a kernel for each colour channel (groups 3, zero padding 1), forward only: no loss, nothing to train. Try: pick a kernel in the layer\'s “Kernel” menu (outline, Sobel, blur, sharpen, emboss) or type your own numbers; point at an output pixel to see its sum of products. Set groups and out channels to 1 for one kernel over all three channels.',
  photoNames: { chelsea: 'Chelsea the cat', coffee: 'A cup of coffee', astronaut: 'Astronaut Eileen Collins', camera: 'A photographer with a camera' } as Record<string, string>,
  photoUnavailable: (why: string) => `The sample photos could not be loaded (${why}), so the example shows a picture drawn by the page.`,
  photoLabel: 'Photo',
  photoLoading: 'Loading the photo…',
  photoCredits: {
    chelsea: 'Stéfan van der Walt, CC0 (scikit-image data)',
    coffee: 'Rachel Michetti, courtesy of Pikolo Espresso Bar, CC0 (scikit-image data)',
    astronaut: 'NASA, public domain (scikit-image data)',
    camera: 'Lav Varshney, CC0 (scikit-image data)',
  } as Record<string, string>,
  photoFailed: (why: string) => `Could not load that photo (${why}); the input is unchanged.`,
};

const zh: typeof en = {
  photoTitle: '照片上的卷积核',
  photoDescription: '一张 256×256 的彩色照片经过一个 3×3 卷积，每个颜色通道一个卷积核（groups 为 3，零填充 1），仅前向：没有损失，也没有训练。试试：在该层的“卷积核”菜单中选一个（轮廓、Sobel、模糊、锐化、浮雕），或输入你自己的数；指向一个输出像素，查看它的乘积之和。把分组和输出通道都设为 1，就是一个卷积核作用于全部三个通道。',
  photoNames: { chelsea: '猫咪 Chelsea', coffee: '一杯咖啡', astronaut: '宇航员艾琳·柯林斯', camera: '拿着相机的摄影师' } as Record<string, string>,
  photoUnavailable: (why: string) => `示例照片无法加载（${why}），所以示例显示的是页面自己画的图。`,
  photoLabel: '照片',
  photoLoading: '正在加载照片…',
  photoCredits: {
    chelsea: 'Stéfan van der Walt，CC0（scikit-image 数据）',
    coffee: 'Rachel Michetti，Pikolo Espresso Bar 提供，CC0（scikit-image 数据）',
    astronaut: 'NASA，公有领域（scikit-image 数据）',
    camera: 'Lav Varshney，CC0（scikit-image 数据）',
  } as Record<string, string>,
  photoFailed: (why: string) => `无法加载这张照片（${why}）；输入保持不变。`,
};

export const PS = LANG === 'zh' ? zh : en;
