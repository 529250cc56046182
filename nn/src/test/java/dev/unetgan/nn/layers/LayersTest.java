package dev.unetgan.nn.layers;

import dev.unetgan.autograd.Tensor;
import dev.unetgan.nn.F;
import dev.unetgan.nn.Layer;
import dev.unetgan.nn.Module;
import dev.unetgan.tensor.DType;
import dev.unetgan.tensor.Device;
import dev.unetgan.tensor.Generator;
import dev.unetgan.tensor.NDArray;
import dev.unetgan.tensor.Ops;
import dev.unetgan.tensor.Scope;
import dev.unetgan.tensor.Shape;
import dev.unetgan.tensor.cpu.CpuOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.unetgan.nn.NnTesting.assertClose;
import static dev.unetgan.nn.NnTesting.seq;
import static dev.unetgan.nn.NnTesting.seqArray;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layer outputs against PyTorch 1.13 (Debian's python3-torch, F64). Inputs and parameters are
 * {@code sin(0.37·i + offset)·scale} ({@link dev.unetgan.nn.NnTesting#seq}); the script that printed the constants
 * below built the same arrays in Python and ran {@code torch.nn.functional.linear/conv2d/avg_pool2d/max_pool2d/
 * interpolate(mode='nearest')/cross_entropy} and {@code torch.nn.BatchNorm2d} on them. Each case runs in F64 and
 * F32 (Vector path and forced scalar path).
 */
class LayersTest {
    private static final double[] LINEAR = {
            0.7822934297764264, 0.41718840208099617, -0.20725505879735104, -0.4871324098602617, 1.6113509913462116,
            1.0375853472548646, -0.4845793271212685, -1.3541602145985245
    };
    private static final double[] CONV_S2P1 = {
            0.5281483275026071, 0.6422949239945152, 0.2809989963087541, 0.10780783416209591, 0.49201069538757713,
            0.6089444199607668, 0.2429517560186103, 0.18081327825698576, 0.44793517908466873, 0.29410000914671397,
            -0.05163208062911506, 0.045047725655891185, 0.21382948400515953, 0.013463079343293355,
            -0.029216042827568206, 0.1535328315027924, 0.481681810316235, 1.0922853409968327, 1.2936597080432934,
            0.666941012955858, 0.03273819428122593, -0.058540505525651404, 0.2266490882032309, 0.369719467995434,
            -0.1405936088299157, -0.1469298141085069, 0.23733030692916085, 0.3121904755712019, -0.24857826176425177,
            -0.6940571116043237, -0.4364171893717904, -0.03706256096804647, 0.03705864283194554, 0.24000779648503218,
            0.43228900350551835, 0.25862786074114963, 0.032875584958659, -0.007307279927409982, 0.37651276186184846,
            0.48166932592237777, 0.09886263623721367, 0.029444690711187688, 0.41211773207581365, 0.42822681055101236,
            0.14487420623182137, 0.3565367337002756, 0.6703803711417774, 0.5067920262628188, 0.23012585650249964,
            0.42951334588263923, 0.43635393817886003, 0.2404700927239974, -0.16816791223965985, -0.787666560457954,
            -0.8264359680482826, -0.18030970682107098, 0.37494522910549377, 0.40492649527137914, 0.10580886393158688,
            0.015856889098297272, 0.34591060638899884, 0.278809801293615, -0.10869093204086958, -0.10844901851481756,
            0.49423197222449844, 0.8969812051649277, 0.5351686718604004, 0.1714008872580024, 0.15598957471004063,
            -0.07180485890240762, -0.22470340723096874, -0.012714944510133774
    };
    private static final double[] CONV_D2P2 = {
            0.24462223773891623, 0.5187385335304574, 0.7062443941194086, 1.1262859313140832, 1.3938899513515508,
            1.472837505506948, 0.8600420991502792, 0.836112294588169, 0.4924013135347822, 0.21289015396694302,
            0.6035839241061748, 0.07647314706965579, -0.4609879116709894, -0.9360564191590228, -0.4444471790754145,
            -0.682824630897908, -0.624402271723599, -0.4061452175895361, -0.9227531088391999, -0.5172921373555857,
            -0.041818101808008996, 0.439315817641695, 0.09580966315547569, 0.3792782099800922, 0.8110270230623402,
            0.6584928960437076, 1.2301015745946942, 0.8793059782696613, 0.409500442796649, -0.1157290565554721,
            0.0801157129353633, -0.21797442216075075, -0.7054108839477183, -0.8322560953042192, -1.3330220902327785,
            -1.4353953765768999, -1.3434946324454502, -1.0697581924307453, -0.6931234803098892, -0.49236193352233615,
            -0.7169348056525285, -0.6352052887078891, -1.1553489910671286, -0.9593490933997634, -0.633505796450785,
            -0.2219204618622311, -0.28688450057093534, -0.02715133073532009, 0.5065852667343629, 0.6587378568870711,
            0.9579900127317695, 1.154734045222852, 1.1951902417953115, 1.0738830460316624, 0.7028105591256963,
            0.5926013313893652, -0.38517248141692767, -0.6815812710496777, -0.9715045612582389, -1.3841395723578913,
            -1.6094377856311688, -1.6169061448332323, -0.9280449510038711, -0.8646549036529028, -0.06604820653078092,
            0.21333949530257662, 0.10443895477111156, 0.5817017124865875, 0.9802338723030976, 1.2460959759883565,
            0.6977865348428051, 0.804046440950674, 0.6455183001812662, 0.4546572454164591, 1.003742898606328,
            0.6129302182899565, 0.13916030831367565, -0.3534442965623409, -0.08376097174350085, -0.37187758299562423,
            0.14113615325622275, -0.17695603365512327, -0.08459014561871606, -0.6100926041736784,
            -1.0530218908275222, -1.3534296045068628, -0.7056792443005109, -0.821503081065189, -0.7649777261409847,
            -0.5673347335254114, -1.1190459758675848, -0.6977965139928788, -0.18210356746066597, 0.3582362426408963,
            0.06628856782489301, 0.3639658807075412, 0.8316505675456486, 0.7728810663439283, 1.4454868824552232,
            1.262050865953653, 0.9078021852935078, 0.43068673754645703, 0.4035399628465373, 0.08596337373074112,
            -0.77548871514571, -0.7732836689212114, -1.286296646771513, -1.1923000118676048, -0.9369311636896225,
            -0.5547530778490319, -0.4555710664999578, -0.21465579595817086, 0.3580793011140483, 0.5876203961258208,
            0.7929419567445505, 1.105598339334955, 1.2686171732926446, 1.2599346241973706, 0.7381924286064547,
            0.6924566937885581, -0.4059658591669274, -0.6445064374189085, -0.9591361227112287, -1.2989461972561434,
            -1.462949997634514, -1.428950378841743, -0.8610031068912037, -0.7717809790397608, -0.3405459228907978,
            -0.03974267722281642, -0.31166236289758176, 0.23038096921136003, 0.7412433179035302, 1.1517818608470565,
            0.58871065084467, 0.7781689233249953, 0.5099209723890442, 0.2564205342291411, 0.7060292922735174,
            0.25350405032220963, -0.23333177559894672, -0.6885872403016323, -0.25997518581049045,
            -0.5188500371531293, -0.7374145272686797, -0.5311763099533927, -1.0499674123225708, -0.6249477874946762,
            -0.11534441139197785, 0.40987028968753153, 0.08943011488161709, 0.3756936196874874, 0.7901808549646602,
            0.8546068119904466, 1.4144745016822113, 1.407206083483656, 1.2094789233877519, 0.848054464933434,
            0.5898465466158066, 0.3474497015509257, 0.682312746706391, 0.5498949775469584, 1.0626926740213225,
            0.7888997136854388, 0.408332877998088, -0.027499897150174427, 0.1428607541719174, -0.12341321070991447,
            -0.6024714443989329, -0.7061021218029289, -1.0871489659753977, -1.1976420869395323, -1.1460399698294148,
            -0.9393267191194212, -0.6516182167689181, -0.493540715071699, 0.5616970417445986, 0.8102737691222882,
            1.2246778236746987, 1.5369450290988405, 1.6411939349695237, 1.5233149409308804, 0.9075418187462891,
            0.7759708797303716, -0.09301450415994206, -0.3606159925416691, -0.3798659531118747, -0.8201347699131983,
            -1.149402193032904, -1.3231034214150448, -0.7706235290232087, -0.8163018973853754, -0.5471052796441855,
            -0.3177038860265347, -0.7968003952332348, -0.35175181151937485, 0.14090472974128873, 0.6144904768454408,
            0.2503858378204031, 0.5145624009133819, 0.03883642808097424, 0.3486265330226466, 0.38733710720706155,
            0.8744659212137001, 1.2432398750891456, 1.4437471441731846, 0.7841345628740778, 0.8381854571257003,
            0.6647154473433314, 0.41967236711566047, 0.8966204826320485, 0.41402976493532156, -0.12459793914397344,
            -0.6463618966754889, -0.23809690903433325, -0.5126113431439562, -0.8121511686938697, -0.692401467192342,
            -1.3649870427180522, -1.0804822313208553, -0.6497392186856665, -0.13105705086583375,
            -0.22834239760175526, 0.10132632974792836, 0.7874624886468302, 0.7252115889678847, 1.2543604445912424,
            1.0662345917431197, 0.7337988888351501, 0.302046948729544, 0.32521636381517355, 0.06353084538092996,
            -0.4958019927354844, -0.6836610873300959, -0.9857431358926756, -1.2179403207232067, -1.2852949967601857,
            -1.178691024577072, -0.7245707044667524, -0.6243183404814587
    };
    private static final double[] AVG_K3S2P1 = {
            0.2354951230195943, 0.3814231234545279, 0.2094312371743353, -0.06635062945969211, -0.1375899851157321,
            -0.09414674868098535, 0.09674336592088033, 0.3075332454667895, 0.26199117094963387, -0.2115780758691043,
            -0.38187885972025537, -0.23387989624201072, 0.05279006790358493, 0.1288106859041499, 0.09746634317698061,
            -0.05275841248338312, -0.26311679431765067, -0.2541647665346391
    };
    private static final double[] MAX_K3S2P1 = {
            0.9612752029752999, 0.8956986856800476, 0.99588084453764, 0.9612752029752999, 0.7965654722360868,
            0.6793046521448148, 0.9964756147406005, 0.9964756147406005, 0.7924271699085284, 0.17388948538043356,
            -0.19398436125389723, 0.013628963678619457, 0.7882520673753163, 0.9970241087570002, 0.9970241087570002,
            0.7882520673753163, 0.5123880037101151, -0.20066505035860252
    };
    private static final double[] MAX_K2 = {
            0.9612752029752999, 0.8956986856800476, -0.35525355998804264, 0.36796051057238466, 0.17388948538043356,
            -0.3488751900860617, 0.7882520673753163, 0.9970241087570002
    };
    private static final double[] BN_TRAIN_Y2 = {
            -0.6246424184783477, 0.8248620592063157, 1.535718157842977, 1.4117148392578716, 0.46963537089562957,
            -1.163014210695493, 3.3590161116183967, 1.9501830917991376, 0.6180388785516484, -0.45711705823203314,
            -1.1297674062927425, -1.3088720965658942, -2.228184662850718, -1.677658786852611, -0.8811284599169009,
            0.053599674898347806, 1.0000145495537975, 1.8300233505977161, 0.8450913255536255, 1.5411045469142588,
            1.401529328561021, 0.4452565215210788, -1.1982868358512566, -3.3066548603460584, 1.92436940098879,
            0.5954001910861563, -0.4735167022070944, -1.13770839189956, -1.3072796486554301, -0.9592797983675252,
            -1.664923950201301, -0.8647919743156222, 0.07132674276137632, 1.0167329242047503, 1.8434702784570305,
            2.439643783020419
    };
    private static final double[] BN_RM = {
            0.2748224757400337, -0.09041417096139512, -0.06922915469549518
    };
    private static final double[] BN_RV = {
            0.8591379078406626, 0.9722377345723259, 0.9687496057569139
    };
    private static final double[] BN_EVAL_Y = {
            -0.23938236250455167, 0.8691700029374158, 1.8276850061710483, 2.5064321381058257, 2.813546158581113,
            2.707460625662578, 2.683408987781047, 1.8598123271249238, 0.8218646049975005, -0.2899528236441571,
            -1.3251606856047402, -2.143648453147499, -2.738457605592845, -2.8358592546019694, -2.5246481659599502,
            -1.8469453005572705, -0.8944745619783211, 0.20385160355246093, 0.888621196878318, 1.8430641052773655,
            2.515657653460133, 2.815369459959053, 2.701634937776141, 2.189847520936093, 1.8422351580246774,
            0.8015957778757713, -0.31017001812180445, -1.3425899450089074, -2.1559308089821805, -2.6401107396573247,
            -2.833774534100045, -2.5152672524076216, -1.831537856595992, -0.8751259128686663, 0.2245227089221213,
            1.3185757265018638
    };
    private static final double[] BNC_RM = {
            1.4456374533156426, -0.46726864104986765, -0.3992951357165634
    };
    private static final double[] BNC_RV = {
            0.2658779335549078, 0.8807061886330301, 0.837071584847138
    };
    private static final double[] UP2 = {
            0.0, 0.0, 0.361615431964962, 0.361615431964962, 0.674287911628145, 0.674287911628145, 0.0, 0.0,
            0.361615431964962, 0.361615431964962, 0.674287911628145, 0.674287911628145, 0.8956986856800476,
            0.8956986856800476, 0.99588084453764, 0.99588084453764, 0.9612752029752999, 0.9612752029752999,
            0.8956986856800476, 0.8956986856800476, 0.99588084453764, 0.99588084453764, 0.9612752029752999,
            0.9612752029752999
    };
    private static final double CE = 1.1955489806011774;

    private static double tol(DType dtype) {
        return dtype == DType.F64 ? 1e-12 : 2e-6;
    }

    /** Runs {@code body} on the Vector path, then (for F32) on the forced scalar path. */
    private static void bothPaths(DType dtype, Runnable body) {
        body.run();
        if (dtype == DType.F32) {
            boolean saved = CpuOptions.scalar();
            try {
                CpuOptions.setScalar(true);
                body.run();
            } finally {
                CpuOptions.setScalar(saved);
            }
        }
    }

    private static void set(Tensor p, NDArray v) {
        Ops.copyInto(v, p.value());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void linearMatchesTorch(DType dt) {
        bothPaths(dt, () -> {
            try (Scope s = Scope.open(); Linear l = Linear.builder(3, 4).dtype(dt).build(new Generator(1))) {
                set(l.weight(), seqArray(dt, 0.5, 1.0, 4, 3));
                set(l.bias(), seqArray(dt, 0.3, 2.0, 4));
                Tensor y = l.forward(Tensor.of(seqArray(dt, 1, 0, 2, 3)));
                assertEquals(Shape.of(2, 4), y.shape());
                assertClose(LINEAR, y.value(), tol(dt));
                // leading dimensions are flattened and restored
                Tensor y3 = l.forward(Tensor.of(seqArray(dt, 1, 0, 1, 2, 3)));
                assertEquals(Shape.of(1, 2, 4), y3.shape());
                assertClose(LINEAR, y3.value(), tol(dt));
            }
        });
    }

    @Test
    void linearHandComputedWithoutBias() {
        try (Scope s = Scope.open(); Linear l = Linear.builder(2, 1).bias(false).build(new Generator(1))) {
            set(l.weight(), NDArray.of(new float[]{2, -3}, 1, 2));
            Tensor y = l.forward(Tensor.of(NDArray.of(new float[]{1, 1, 0.5f, -1}, 2, 2)));
            assertArrayEquals(new float[]{-1, 4}, y.value().toFloatArray());
            assertEquals(List.of("weight"), List.copyOf(l.stateDict().keySet()));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void conv2dMatchesTorch(DType dt) {
        bothPaths(dt, () -> {
            try (Scope s = Scope.open();
                 Conv2d strided = Conv2d.builder(2, 3, 3).kernel(3, 2).stride(2).padding(1).dtype(dt).build(new Generator(1));
                 Conv2d dilated = Conv2d.builder(2, 3, 3).kernel(3, 2).padding(2).dilation(2).bias(false).dtype(dt)
                         .build(new Generator(1))) {
                Tensor x = Tensor.of(seqArray(dt, 1, 0, 2, 2, 5, 6));
                set(strided.weight(), seqArray(dt, 0.5, 1.0, 3, 2, 3, 2));
                set(strided.bias(), seqArray(dt, 0.3, 2.0, 3));
                Tensor y = strided.forward(x);
                assertEquals(Shape.of(2, 3, 3, 4), y.shape());
                assertClose(CONV_S2P1, y.value(), tol(dt));
                set(dilated.weight(), seqArray(dt, 0.5, 1.0, 3, 2, 3, 2));
                Tensor z = dilated.forward(x);
                assertEquals(Shape.of(2, 3, 5, 8), z.shape());
                assertClose(CONV_D2P2, z.value(), tol(dt));
            }
        });
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void poolingAndUpsamplingMatchTorch(DType dt) {
        bothPaths(dt, () -> {
            try (Scope s = Scope.open()) {
                Tensor x = Tensor.of(seqArray(dt, 1, 0, 1, 2, 5, 5));
                assertClose(AVG_K3S2P1, new AvgPool2d(3, 2, 1).forward(x).value(), tol(dt));
                assertClose(MAX_K3S2P1, new MaxPool2d(3, 2, 1).forward(x).value(), tol(dt));
                Tensor m = new MaxPool2d(2).forward(x);
                assertEquals(Shape.of(1, 2, 2, 2), m.shape());
                assertClose(MAX_K2, m.value(), tol(dt));
                Tensor up = new Upsample(2).forward(Tensor.of(seqArray(dt, 1, 0, 1, 1, 2, 3)));
                assertEquals(Shape.of(1, 1, 4, 6), up.shape());
                assertClose(UP2, up.value(), tol(dt));
            }
        });
    }

    @Test
    void activationsAndFlatten() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(NDArray.of(new double[]{-2, -0.5, 0, 0.5, 3, 1}, 1, 2, 3));
            assertArrayEquals(new double[]{0, 0, 0, 0.5, 3, 1}, new ReLU().forward(x).value().toDoubleArray(), 0);
            assertArrayEquals(new double[]{-0.02, -0.005, 0, 0.5, 3, 1},
                    new LeakyReLU().forward(x).value().toDoubleArray(), 1e-15);
            assertArrayEquals(new double[]{-0.4, -0.1, 0, 0.5, 3, 1},
                    new LeakyReLU(0.2).forward(x).value().toDoubleArray(), 1e-15);
            double[] tanh = new Tanh().forward(x).value().toDoubleArray();
            double[] sig = new Sigmoid().forward(x).value().toDoubleArray();
            double[] in = x.value().toDoubleArray();
            for (int i = 0; i < in.length; i++) {
                assertEquals(Math.tanh(in[i]), tanh[i], 1e-15);
                assertEquals(1 / (1 + Math.exp(-in[i])), sig[i], 1e-15);
            }
            assertEquals(Shape.of(1, 6), new Flatten().forward(x).shape());
        }
    }

    @Test
    void embeddingLooksUpRows() {
        try (Scope s = Scope.open(); Embedding e = new Embedding(4, 3, DType.F64, Device.CPU, new Generator(5))) {
            double[] table = e.weight().value().toDoubleArray();
            Tensor y = e.forward(NDArray.of(new int[]{3, 0, 3}, Shape.of(3), Device.CPU));
            double[] expected = new double[9];
            int[] rows = {3, 0, 3};
            for (int i = 0; i < 3; i++) System.arraycopy(table, rows[i] * 3, expected, i * 3, 3);
            assertArrayEquals(expected, y.value().toDoubleArray(), 0);
            assertThrows(IllegalArgumentException.class,
                    () -> e.forward(NDArray.of(new int[]{4}, Shape.of(1), Device.CPU)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void batchNormTrainingUpdatesRunningStatsAndEvalUsesThemLikeTorch(DType dt) {
        bothPaths(dt, () -> {
            try (Scope s = Scope.open(); BatchNorm2d bn = BatchNorm2d.builder(3).dtype(dt).build()) {
                double[] w = seq(3, 0.5, 1.0);
                for (int i = 0; i < 3; i++) w[i] += 1;
                set(bn.weight(), dev.unetgan.nn.NnTesting.of(w, dt, 3));
                set(bn.bias(), seqArray(dt, 0.2, 2.0, 3));
                Tensor x1 = Tensor.of(seqArray(dt, 2.0, 0, 2, 3, 2, 3));
                Tensor x2 = Tensor.of(Ops.unary(dev.unetgan.tensor.UnaryOp.ADD_SCALAR, 0.3, seqArray(dt, 1.5, 0.7, 2, 3, 2, 3)));
                bn.forward(x1);
                Tensor y2 = bn.forward(x2);
                assertClose(BN_TRAIN_Y2, y2.value(), dt == DType.F64 ? 1e-11 : 1e-5);
                assertClose(BN_RM, bn.runningMean(), tol(dt));
                assertClose(BN_RV, bn.runningVar(), tol(dt));
                assertEquals(2, bn.numBatchesTracked().item());
                bn.eval();
                assertClose(BN_EVAL_Y, bn.forward(x1).value(), dt == DType.F64 ? 1e-11 : 1e-5);
                assertEquals(2, bn.numBatchesTracked().item(), "eval does not count");
                assertClose(BN_RM, bn.runningMean(), tol(dt));
            }
        });
    }

    @Test
    void batchNormCumulativeAverageWithoutAffine() {
        try (Scope s = Scope.open(); BatchNorm2d bn = BatchNorm2d.builder(3).affine(false).cumulativeAverage()
                .dtype(DType.F64).build()) {
            assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.stateDict().keySet()));
            bn.forward(Tensor.of(seqArray(DType.F64, 2.0, 0, 2, 3, 2, 3)));
            bn.forward(Tensor.of(Ops.unary(dev.unetgan.tensor.UnaryOp.ADD_SCALAR, 0.3,
                    seqArray(DType.F64, 1.5, 0.7, 2, 3, 2, 3))));
            assertClose(BNC_RM, bn.runningMean(), 1e-12);
            assertClose(BNC_RV, bn.runningVar(), 1e-12);
        }
    }

    @Test
    void batchNormDefaultsAndErrors() {
        try (Scope s = Scope.open(); BatchNorm2d bn = new BatchNorm2d(2)) {
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                    List.copyOf(bn.stateDict().keySet()));
            assertArrayEquals(new double[]{1, 1}, bn.weight().value().toDoubleArray());
            assertArrayEquals(new double[]{0, 0}, bn.bias().value().toDoubleArray());
            assertArrayEquals(new double[]{0, 0}, bn.runningMean().toDoubleArray());
            assertArrayEquals(new double[]{1, 1}, bn.runningVar().toDoubleArray());
            assertEquals(DType.I32, bn.numBatchesTracked().dtype());
            assertEquals(0, bn.numBatchesTracked().rank());
            // one value per channel cannot give an unbiased variance (PyTorch refuses too)
            assertThrows(IllegalArgumentException.class,
                    () -> bn.forward(Tensor.of(NDArray.zeros(Shape.of(1, 2, 1, 1), DType.F32, Device.CPU))));
        }
    }

    @Test
    void crossEntropyMatchesTorch() {
        try (Scope s = Scope.open()) {
            NDArray labels = NDArray.of(new int[]{2, 0, 1, 2}, Shape.of(4), Device.CPU);
            assertEquals(CE, F.crossEntropy(Tensor.of(seqArray(DType.F64, 2, 0, 4, 3)), labels).item(), 1e-14);
            assertEquals(CE, F.crossEntropy(Tensor.of(seqArray(DType.F32, 2, 0, 4, 3)), labels).item(), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(Tensor.of(seqArray(DType.F64, 2, 0, 4, 3)),
                    NDArray.of(new int[]{2, 0, 3, 2}, Shape.of(4), Device.CPU)));
            assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(Tensor.of(seqArray(DType.F64, 2, 0, 4, 3)),
                    NDArray.of(new int[]{2, 0}, Shape.of(2), Device.CPU)));
        }
    }

    /** PyTorch's default init: every weight and bias inside ±1/sqrt(fanIn), filling most of that range. */
    @Test
    void defaultInitBoundsOfLinearAndConv() {
        try (Linear l = new Linear(50, 40, new Generator(7));
             Conv2d c = Conv2d.builder(6, 30, 3).build(new Generator(8))) {
            checkBound(l.weight().value(), 1 / Math.sqrt(50));
            checkBound(l.bias().value(), 1 / Math.sqrt(50));
            checkBound(c.weight().value(), 1 / Math.sqrt(6 * 9));
            checkBound(c.bias().value(), 1 / Math.sqrt(6 * 9));
        }
        try (Linear a = new Linear(3, 3, new Generator(7)); Linear b = new Linear(3, 3, new Generator(7))) {
            assertArrayEquals(a.weight().value().toFloatArray(), b.weight().value().toFloatArray(), "reproducible");
        }
    }

    private static void checkBound(NDArray a, double bound) {
        double max = 0;
        for (double v : a.toDoubleArray()) {
            assertTrue(Math.abs(v) <= bound, v + " outside ±" + bound);
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > (a.size() > 20 ? 0.8 : 0.3) * bound, "range barely used: " + max + " of " + bound);
    }

    @Test
    void layersWithoutParametersHaveEmptyState() {
        for (Module m : new Module[]{new ReLU(), new LeakyReLU(), new Tanh(), new Sigmoid(), new Flatten(),
                new AvgPool2d(2), new MaxPool2d(2), new Upsample(2)}) {
            assertTrue(m.stateDict().isEmpty(), m.toString());
            assertTrue(m instanceof Layer);
        }
    }
}
